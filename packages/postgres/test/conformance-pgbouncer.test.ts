import { type ConformanceTarget, onCI, runConformance, startPgBouncer } from "@dotorm/testkit";
import pg from "pg";
import { afterAll } from "vitest";
import { postgres } from "../src/index.js";
import { pgUrl } from "./targets.js";

/**
 * The whole conformance suite through PgBouncer (Debian's package) in transaction pooling mode in
 * front of the PostgreSQL server, with `preparedStatements: false`. Startup parameters do not reach
 * the server through a transaction pooler, so each suite gets a database of its own (not a schema
 * through search_path) and `statementTimeout` is 0 (set it on the role or database instead).
 */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const bouncer = await startPgBouncer(Number(new URL(pgUrl).port || 5432)).catch((e: { code?: unknown }) => {
  // code 3: pgbouncer is not installed (CI installs it); elsewhere the suite reports itself not configured
  if (e.code === 3 && !onCI()) return undefined;
  throw e;
});
afterAll(async () => bouncer?.stop(), 60_000);

const target: ConformanceTarget = {
  name: `pgbouncer ${bouncer?.version ?? "(not installed)"}, transaction mode`,
  configured: bouncer !== undefined,
  available: async () => bouncer !== undefined,
  async open(namespace) {
    await admin(`DROP DATABASE IF EXISTS "${namespace}" WITH (FORCE)`);
    await admin(`CREATE DATABASE "${namespace}"`);
    const url = new URL(bouncer!.url);
    url.pathname = `/${namespace}`;
    return postgres({ url: url.toString(), preparedStatements: false, statementTimeout: 0, max: 4 });
  },
  async drop(namespace) {
    await admin(`DROP DATABASE IF EXISTS "${namespace}" WITH (FORCE)`);
  },
};

await runConformance(target);
