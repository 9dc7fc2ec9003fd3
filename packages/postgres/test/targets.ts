import type { ConformanceTarget } from "@dotorm/testkit";
import pg from "pg";
import { postgres } from "../src/index.js";

/** The PostgreSQL server of the test machine (DOTORM_PG_URL overrides). */
export const pgUrl = process.env.DOTORM_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A schema per suite on the PostgreSQL server. */
export const pgServer: ConformanceTarget = {
  name: "postgres",
  available: () => admin(async (c) => (await c.query("select 1")).rowCount === 1).catch(() => false),
  async open(namespace) {
    await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${namespace}" CASCADE; CREATE SCHEMA "${namespace}"`));
    return postgres({ url: pgUrl, schema: namespace, max: 4 });
  },
  async drop(namespace) {
    await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${namespace}" CASCADE`));
  },
  address: { host: new URL(pgUrl).hostname, port: Number(new URL(pgUrl).port || 5432) },
  openVia(namespace, port, limits) {
    const url = new URL(pgUrl);
    url.hostname = "127.0.0.1";
    url.port = String(port);
    return postgres({ url: url.toString(), schema: namespace, ...limits });
  },
  sleepStatement: (seconds) => `SELECT pg_sleep(${seconds})`,
};

/** A fresh in-memory PGlite per suite. */
export const pglite: ConformanceTarget = {
  name: "pglite",
  available: async () => true,
  open: async () => postgres({ pglite: true }),
};
