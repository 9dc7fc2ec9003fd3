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
export function recordsAdapter(
  config: Pick<Config, "DATABASE_URL" | "DATA_DIR"> & Partial<Pick<Config, "PG_GENERIC_PLANS">>,
): Adapter {
  const url = config.DATABASE_URL;
  if (url === undefined) {
    const dir = join(config.DATA_DIR, "crm");
    mkdirSync(dir, { recursive: true });
    return postgres({ pglite: dir });
  }
  return url.startsWith("mysql:") || url.startsWith("mariadb:")
    ? mysql({ url: url.replace(/^mariadb:/, "mysql:") })
    : postgres({ url: config.PG_GENERIC_PLANS === false ? url : withGenericPlans(url) });
}

/**
 * The PostgreSQL URL with `plan_cache_mode=force_generic_plan` added to its connection `options`,
 * unless it sets `plan_cache_mode` itself. DotORM prepares each statement shape once per
 * connection, but PostgreSQL keeps planning a prepared statement on every run while its custom
 * plans look cheaper than the generic one, and a page's `LIMIT $n` makes the generic plan look
 * 10% of the table deep: every list page was planned again, which cost more of PostgreSQL's CPU
 * than running it (a leads page: ~0.75 ms → ~0.35 ms of backend CPU). The CRM's statements take
 * their shape from the session's rules and the request's filters, and their values (user, team,
 * record ids, a page size) do not call for different plans at this scale, so each shape is planned
 * once per connection. `PG_GENERIC_PLANS=0` leaves the URL as it is (a pooler such as PgBouncer may
 * refuse startup `options`).
 *
 * @example
 * withGenericPlans("postgres://crm@db/crm") // "postgres://crm@db/crm?options=-c+plan_cache_mode%3Dforce_generic_plan"
 */
export function withGenericPlans(url: string): string {
  const parsed = new URL(url);
  const options = parsed.searchParams.get("options") ?? "";
  if (/\bplan_cache_mode\b/.test(options)) return url;
  parsed.searchParams.set("options", `${options} -c plan_cache_mode=force_generic_plan`.trim());
  return parsed.toString();
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
