import type { ConformanceTarget } from "@dotorm/testkit";
import { createClient } from "@clickhouse/client";
import { createChdbConnection } from "chdb/connection";
import { clickhouse } from "../src/index.js";

/**
 * chDB binds one data directory per process, so this file's process keeps one in-memory engine
 * open for its whole life (the keeper below) and every suite gets its own database inside it.
 */
type ChConnection = NonNullable<Parameters<typeof createClient>[0]>["connection"];
const keeper = createClient({ connection: createChdbConnection({ path: ":memory:" }) as unknown as ChConnection });

/** A database per suite on the process's chDB engine. */
export const chdb: ConformanceTarget = {
  name: "chdb",
  available: async () => (await keeper.ping()).success,
  open: async (namespace) => clickhouse({ embedded: true, database: namespace }),
  async drop(namespace) {
    await keeper.command({ query: `DROP DATABASE IF EXISTS \`${namespace}\`` });
  },
};

/** The ClickHouse server at DOTORM_CLICKHOUSE_URL (loudly skipped by the harness when unset or down). */
export const clickhouseUrl = process.env.DOTORM_CLICKHOUSE_URL;
/** A cluster of that server (docker compose --profile cluster): tables are then created ON CLUSTER, replicated. */
const cluster = process.env.DOTORM_CLICKHOUSE_CLUSTER || undefined;
const onCluster = cluster ? ` ON CLUSTER \`${cluster}\` SYNC` : "";

async function admin<T>(fn: (c: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const client = createClient({ url: clickhouseUrl, request_timeout: 3000 });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** A database per suite on the server. */
export const clickhouseServer: ConformanceTarget = {
  name: cluster ? `clickhouse cluster ${cluster}` : "clickhouse",
  // optional: only a URL asks for it; then CI requires it to answer
  configured: clickhouseUrl !== undefined,
  available: async () => (clickhouseUrl ? admin(async (c) => (await c.ping()).success).catch(() => false) : false),
  open: async (namespace) => clickhouse({ url: clickhouseUrl, database: namespace, cluster }),
  async drop(namespace) {
    await admin((c) => c.command({ query: `DROP DATABASE IF EXISTS \`${namespace}\`${onCluster}` }));
  },
};
