import { ConfigurationError, type ModelMeta } from "@dotorm/core";

/** `clickhouse.distributed` of a model: how rows are spread over the cluster's shards. */
export interface DistributedOptions {
  /**
   * A ClickHouse expression choosing each row's shard (`Distributed(..., shardingKey)`), e.g.
   * `"id"`, `"cityHash64(account_id)"` or `"rand()"`. Rows that are read together should share it.
   */
  readonly shardingKey: string;
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

type Row = Readonly<Record<string, unknown>>;

/**
 * Distributed table -> its local table, from `system.tables` rows (`t`, `engine`, `e` = engine_full),
 * for the Distributed tables among `tables` (or all) whose local table exists.
 */
export function pairsOf(rows: readonly Row[], tables?: readonly string[]): Map<string, string> {
  const names = new Set(rows.map((r) => String(r.t)));
  const out = new Map<string, string>();
  for (const r of rows) {
    const local = r.engine === "Distributed" ? localOfEngine(String(r.e)) : undefined;
    if (local && names.has(local) && (!tables || tables.includes(String(r.t)))) out.set(String(r.t), local);
  }
  return out;
}

/**
 * Rows of `system.*` (each with the table in `t`) with each pair read as its Distributed table:
 * `"local"` keeps the local table's rows, renamed (indexes, engine, keys); `"both"` keeps the
 * Distributed table's rows (columns) that the local table also has, so a column either lacks is
 * missing (and planned again, `IF NOT EXISTS` on both).
 *
 * @example
 * mergePairs([{ t: "e", c: "a" }, { t: "e_local", c: "a" }, { t: "e_local", c: "b" }], new Map([["e", "e_local"]]), "both") // [{ t: "e", c: "a" }]
 */
export function mergePairs(rows: readonly Row[], locals: ReadonlyMap<string, string>, keep: "local" | "both"): Row[] {
  if (locals.size === 0) return [...rows];
  const owner = new Map([...locals].map(([t, l]) => [l, t]));
  const key = (t: unknown, r: Row) => `${String(t)}\u0000${String(r.c ?? r.name ?? "")}`;
  const present = new Set(rows.map((r) => key(r.t, r)));
  const out: Row[] = [];
  for (const r of rows) {
    const t = String(r.t);
    const dist = owner.get(t);
    if (dist !== undefined) {
      if (keep === "local") out.push({ ...r, t: dist });
    } else if (!locals.has(t)) out.push(r);
    else if (keep === "both" && present.has(key(locals.get(t), r))) out.push(r);
  }
  return out;
}
