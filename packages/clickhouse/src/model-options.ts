import { type ModelMeta, type TableInfo, type TableLayout, type TableOptions, UnsupportedError } from "@dotorm/core";
import type { DistributedOptions } from "./distributed.js";

/**
 * ClickHouse table options of a model (`model(..., { clickhouse: { ... } })`), declared on core's
 * `ModelOptions` by this package (importing `@dotorm/clickhouse` makes the key type-check). An
 * interface, so it can be extended by declaration merging; other adapters ignore it.
 *
 * @example
 * model("events", fields, { clickhouse: { orderBy: ["day", "id"], partitionBy: "toYYYYMM(day)" } })
 */
export interface ClickHouseModelOptions {
  /** The table engine; `MergeTree` by default (its `Replicated` form on a cluster). */
  engine?: string;
  /** The sorting key: field keys in order, or a SQL expression. `id` by default. */
  orderBy?: string | readonly string[];
  /** `PARTITION BY` expression, e.g. `"toYYYYMM(day)"`. */
  partitionBy?: string;
  /** `TTL` expression, e.g. `"day + INTERVAL 1 YEAR"`. */
  ttl?: string;
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

declare module "@dotorm/core" {
  interface ModelOptions {
    /** ClickHouse table settings (declared by `@dotorm/clickhouse`). */
    clickhouse?: ClickHouseModelOptions;
  }
}

/** The parts of a sorting key written as SQL (`"(a, b)"` or `"a, b"`), without quotes. */
export function splitKey(key: string): string[] {
  const bare = key.trim().replace(/^\((.*)\)$/s, "$1");
  return bare
    .split(",")
    .map((s) => s.trim().replace(/^[`"]|[`"]$/g, ""))
    .filter(Boolean);
}

/** The model's sorting key as column names (field keys resolved), `id` by default. */
function sortingKey(model: ModelMeta): string[] {
  const ch = model.options.clickhouse;
  if (!ch?.orderBy) return ["id"];
  return typeof ch.orderBy === "string"
    ? splitKey(ch.orderBy)
    : ch.orderBy.map((k) => model.fields.get(k)?.column ?? k);
}

/** The engine and sorting key the model asks for. */
export function layoutOf(model: ModelMeta): TableLayout {
  return { orderBy: sortingKey(model), engine: model.options.clickhouse?.engine ?? "MergeTree" };
}

/** The model's `clickhouse` options as a migration writes them: a list `orderBy` as column names. */
export function migrationOptionsOf(model: ModelMeta): TableOptions {
  const ch = model.options.clickhouse;
  return ch ? { clickhouse: { ...ch, orderBy: typeof ch.orderBy === "string" ? ch.orderBy : sortingKey(model) } } : {};
}

/** A reported table's `clickhouse` options (what differs from the defaults; `forModel`: the sorting key only). */
export function optionsOfTable(have: TableInfo, forModel: boolean): TableOptions {
  if (!have.orderBy) return {};
  const orderBy = have.orderBy.join() !== "id" ? { orderBy: [...have.orderBy] } : {};
  if (forModel) return have.orderBy.join() !== "id" ? { clickhouse: orderBy } : {};
  const engine = have.engine && have.engine !== "MergeTree" ? { engine: have.engine } : {};
  return { clickhouse: { ...orderBy, ...engine } };
}

const bare = (keys: readonly string[]) => keys.map((k) => k.replace(/[`"\s]/g, "")).join(",");

/** Refuses a new sorting key or engine for an existing table: ClickHouse needs a new table for either. */
export function checkLayout(table: string, want: TableLayout, have: TableInfo): void {
  const wantKey = want.orderBy ?? ["id"];
  if (have.orderBy && bare(have.orderBy) !== bare(wantKey)) {
    throw new UnsupportedError(
      "changing ORDER BY",
      "clickhouse",
      `${table}: the sorting key is (${have.orderBy.join(", ")}) in the database and (${wantKey.join(", ")}) in the model. ` +
        "ClickHouse cannot change a table's ORDER BY in place: create a new table with the new key, copy the rows " +
        "(INSERT INTO new SELECT * FROM old), then swap them (EXCHANGE TABLES) in a hand-written migration",
    );
  }
  // on a cluster the adapter creates the Replicated form of the model's engine: the same engine
  const family = (engine: string) => engine.replace(/\(.*$/s, "").replace(/^Replicated/, "");
  const wantEngine = want.engine ?? "MergeTree";
  if (have.engine && family(have.engine) !== family(wantEngine)) {
    throw new UnsupportedError(
      "changing the table engine",
      "clickhouse",
      `${table}: the engine is ${have.engine} in the database and ${wantEngine} in the model; a new table is needed (see ORDER BY changes)`,
    );
  }
}
