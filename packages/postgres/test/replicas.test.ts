import { replicaSuite } from "@dotorm/testkit";
import pg from "pg";
import { postgres } from "../src/index.js";

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

replicaSuite({
  engine: "postgres",
  adapter: (pair, extra) => postgres({ url: pair.primary, replicas: [pair.replica], replicaRetryAfter: 60_000, max: 4, ...extra }),
  query,
  pauseApply: "SELECT pg_wal_replay_pause()",
  resumeApply: "SELECT pg_wal_replay_resume()",
});
