import {
  type Exec,
  type Introspector,
  type SchemaInfo,
  type SchemaState,
  describeRows,
  schemaState,
} from "@dotorm/core";
import { mergePairs, pairsOf } from "./distributed.js";

/**
 * Reads tables, columns and data-skipping indexes of the current database from `system.*` (no
 * foreign keys exist). On a cluster, a `Distributed` table and the local table behind it are read
 * as one table under the Distributed table's name (the model's): its columns are those both have
 * (a column one of them lacks is planned again, and added where missing), its indexes the local
 * table's, its engine and keys the local table's.
 */
export class ClickHouseIntrospector implements Introspector {
  /** `pairs`: look for Distributed tables and their local tables (`clickhouse({ cluster })`). */
  constructor(private readonly pairs = false) {}

  async introspect(exec: Exec, tables: readonly string[]): Promise<SchemaState> {
    const locals = this.pairs ? await distributedPairs(exec, tables) : new Map<string, string>();
    const params = { tables: [...tables, ...locals.values()] };
    const where = "database = currentDatabase() AND table IN {tables:Array(String)}";
    const cols = await exec({ sql: `SELECT table AS t, name AS c FROM system.columns WHERE ${where}`, params });
    const idx = await exec({
      sql: `SELECT table AS t, name AS c FROM system.data_skipping_indices WHERE ${where}`,
      params,
    });
    return schemaState({
      columns: mergePairs(cols.rows, locals, "both"),
      indexes: mergePairs(idx.rows, locals, "local"),
    });
  }

  /**
   * Column types as ClickHouse spells them (the DDL's spelling: `Nullable(Int32)`), DEFAULT
   * expressions, data-skipping indexes, the engine and the sorting key; the primary key is the
   * sorting key's prefix ClickHouse reports.
   */
  async describe(exec: Exec, tables?: readonly string[]): Promise<SchemaInfo> {
    const locals = this.pairs ? await distributedPairs(exec, tables) : new Map<string, string>();
    const params = tables ? { tables: [...tables, ...locals.values()] } : {};
    const only = (col: string) => (tables ? ` AND ${col} IN {tables:Array(String)}` : "");
    const here = "database = currentDatabase()";
    const read = async (sql: string) => (await exec({ sql, params })).rows;
    const tableRows = await read(
      `SELECT name AS t, engine, sorting_key AS order_by, primary_key AS pk FROM system.tables WHERE ${here} AND engine LIKE '%MergeTree'${only("name")} ORDER BY name`,
    );
    const indexRows = await read(
      `SELECT table AS t, name, expr FROM system.data_skipping_indices WHERE ${here}${only("table")} ORDER BY table, name`,
    );
    const columnRows = await read(
      "SELECT table AS t, name AS c, type, startsWith(type, 'Nullable(') OR startsWith(type, 'LowCardinality(Nullable(') AS nullable, " +
        `if(default_kind = 'DEFAULT', default_expression, NULL) AS dflt FROM system.columns WHERE ${here}${only("table")} ORDER BY table, position`,
    );
    return schemaOfRows({ tables: tableRows, columns: columnRows, indexes: indexRows }, locals);
  }
}

type Rows = readonly Record<string, unknown>[];

/**
 * The schema from rows of `system.tables` (MergeTree family), `system.columns` and
 * `system.data_skipping_indices`, each Distributed table of `locals` read together with its local
 * table (see {@link mergePairs}).
 *
 * @example
 * schemaOfRows({ tables, columns, indexes }, new Map([["events", "events_local"]])).tables.get("events")
 */
export function schemaOfRows(
  rows: { tables: Rows; columns: Rows; indexes: Rows },
  locals: ReadonlyMap<string, string> = new Map(),
): SchemaInfo {
  const tables = mergePairs(rows.tables, locals, "local");
  return describeRows({
    tables: tables.map((r) => ({ ...r, order_by: splitList(r.order_by).join(",") })),
    columns: mergePairs(rows.columns, locals, "both"),
    // ClickHouse enforces no uniqueness; DotORM's `uq_` name keeps the model's intent, for `inspect`.
    indexes: mergePairs(rows.indexes, locals, "local").flatMap((r) =>
      splitList(r.expr).map((c) => ({ t: r.t, name: r.name, c, uniq: String(r.name).startsWith("uq_") })),
    ),
    foreignKeys: [],
    primaryKeys: tables.flatMap((r) => splitList(r.pk).map((c) => ({ t: r.t, c }))),
  });
}

/** Distributed tables of the current database (among `tables`, or all) whose local table exists. */
async function distributedPairs(exec: Exec, tables?: readonly string[]): Promise<Map<string, string>> {
  const rows = (
    await exec({
      sql: "SELECT name AS t, engine, engine_full AS e FROM system.tables WHERE database = currentDatabase()",
      params: {},
    })
  ).rows;
  return pairsOf(rows, tables);
}

/** `a, \`b\`` or `(a, b)` -> ["a", "b"]. */
function splitList(expr: unknown): string[] {
  return String(expr ?? "")
    .trim()
    .replace(/^\((.*)\)$/s, "$1")
    .split(",")
    .map((s) => s.trim().replace(/^`|`$/g, ""))
    .filter(Boolean);
}
