import { ConfigurationError, type ModelMeta } from "@dotorm/core";

/** `clickhouse.distributed` of a model: how rows are spread over the cluster's shards. */
export interface DistributedOptions {
  /**
   * A ClickHouse expression choosing each row's shard (`Distributed(..., shardingKey)`), e.g.
   * `"id"`, `"cityHash64(account_id)"` or `"rand()"`. Rows that are read together should share it.
   */
  readonly shardingKey: string;
}

declare module "@dotorm/core" {
  interface ClickHouseModelOptions {
    /**
     * On `clickhouse({ cluster })`: the model's rows live in a replicated local table `<table>_local`
     * on every shard, and the model's table is a `Distributed` table over them that reads and
     * inserts go through; updates and deletes run on the local table `ON CLUSTER`. Without a
     * cluster (one server, chDB) the option is ignored and the table is an ordinary MergeTree.
     *
     * @example
     * model("events", fields, { clickhouse: { orderBy: ["day", "id"], distributed: { shardingKey: "id" } } })
     */
    distributed?: DistributedOptions;
  }
}

/** What DotORM names the per-shard table behind a distributed model's table. */
export const LOCAL_SUFFIX = "_local";

/** The per-shard table behind the Distributed table `table`. */
export function localTable(table: string): string {
  return `${table}${LOCAL_SUFFIX}`;
}

/** The model's `clickhouse.distributed`, checked (a typed error naming the model if malformed). */
export function distributedOf(model: ModelMeta): DistributedOptions | undefined {
  const d = (model.options.clickhouse as { distributed?: unknown } | undefined)?.distributed;
  if (d === undefined) return undefined;
  const key = (d as { shardingKey?: unknown } | null)?.shardingKey;
  if (typeof key !== "string" || key.trim() === "" || key.includes(";")) {
    throw new ConfigurationError(
      `${model.table}: clickhouse.distributed.shardingKey must be a ClickHouse expression such as "id" or "cityHash64(account_id)", got ${JSON.stringify(key)}`,
    );
  }
  return { shardingKey: key.trim() };
}

/**
 * `Distributed(...)` engine arguments' local table, from `system.tables.engine_full`
 * (`Distributed('dotorm', 'crm', 'events_local', id)` -> `events_local`); undefined when not Distributed.
 */
export function localOfEngine(engineFull: string): string | undefined {
  const m = /^Distributed\(\s*'?[^,']*'?\s*,\s*'?[^,']*'?\s*,\s*'?([^,')]+)'?/.exec(engineFull.trim());
  return m?.[1];
}
