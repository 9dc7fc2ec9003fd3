import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { clickhouse } from "@dotorm/clickhouse";
import { type Adapter, type Database, connect } from "@dotorm/core";
import { mysql } from "@dotorm/mysql";
import { postgres } from "@dotorm/postgres";
import { crmChecker, installAccess } from "./access-setup.js";
import type { Config } from "./config.js";
import { Event, crmModels } from "./models/index.js";

/** The CRM's two databases: records (PostgreSQL, PGlite or MySQL) and analytics (ClickHouse or chDB). */
export interface CrmDatabases {
  readonly db: Database;
  readonly analytics: Database;
  readonly checker: ReturnType<typeof crmChecker>;
  close(): Promise<void>;
}

/** The adapter for the records database: the server in DATABASE_URL, else PGlite in DATA_DIR/crm. */
export function recordsAdapter(config: Pick<Config, "DATABASE_URL" | "DATA_DIR">): Adapter {
  const url = config.DATABASE_URL;
  if (url === undefined) {
    const dir = join(config.DATA_DIR, "crm");
    mkdirSync(dir, { recursive: true });
    return postgres({ pglite: dir });
  }
  return url.startsWith("mysql:") || url.startsWith("mariadb:")
    ? mysql({ url: url.replace(/^mariadb:/, "mysql:") })
    : postgres({ url });
}

/** The adapter for analytics: the server in CLICKHOUSE_URL, else chDB in DATA_DIR/crm-analytics. */
export function analyticsAdapter(config: Pick<Config, "CLICKHOUSE_URL" | "CLICKHOUSE_DATABASE" | "DATA_DIR">): Adapter {
  if (config.CLICKHOUSE_URL !== undefined)
    return clickhouse({ url: config.CLICKHOUSE_URL, database: config.CLICKHOUSE_DATABASE });
  const dir = join(config.DATA_DIR, "crm-analytics");
  mkdirSync(dir, { recursive: true });
  return clickhouse({ embedded: dir, database: config.CLICKHOUSE_DATABASE });
}

/**
 * Connects both databases, creates missing tables and installs the access tables' content on the
 * first run. Either adapter may be given (tests pass their own).
 */
export async function openDatabases(records: Adapter, analyticsAdapterOrDb: Adapter): Promise<CrmDatabases> {
  let db: Database | undefined;
  const checker = crmChecker(() => db as Database);
  db = await connect(records, { models: [...crmModels], access: checker });
  let analytics: Database | undefined;
  try {
    await db.sync();
    await installAccess(db);
    analytics = await connect(analyticsAdapterOrDb, { models: [Event] });
    await analytics.sync();
  } catch (e) {
    await analytics?.close().catch(() => {});
    await db.close().catch(() => {});
    throw e;
  }
  const opened = db;
  const ch = analytics;
  return {
    db: opened,
    analytics: ch,
    checker,
    async close() {
      await Promise.allSettled([opened.close(), ch.close()]);
    },
  };
}
