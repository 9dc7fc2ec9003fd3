import { type Exec, type Introspector, type SchemaInfo, type SchemaState, describeRows, schemaState } from "@dotorm/core";

/** Reads tables, columns and data-skipping indexes of the current database from `system.*` (no foreign keys exist). */
export class ClickHouseIntrospector implements Introspector {
  async introspect(exec: Exec, tables: readonly string[]): Promise<SchemaState> {
    const params = { tables: [...tables] };
    const where = "database = currentDatabase() AND table IN {tables:Array(String)}";
    const cols = await exec({ sql: `SELECT table AS t, name AS c FROM system.columns WHERE ${where}`, params });
    const idx = await exec({ sql: `SELECT table AS t, name AS c FROM system.data_skipping_indices WHERE ${where}`, params });
    return schemaState({ columns: cols.rows, indexes: idx.rows });
  }

  /**
   * Column types as ClickHouse spells them (the DDL's spelling: `Nullable(Int32)`), DEFAULT
   * expressions, data-skipping indexes, the engine and the sorting key; the primary key is the
   * sorting key's prefix ClickHouse reports.
   */
  async describe(exec: Exec, tables?: readonly string[]): Promise<SchemaInfo> {
    const params = tables ? { tables: [...tables] } : {};
    const only = (col: string) => (tables ? ` AND ${col} IN {tables:Array(String)}` : "");
    const here = "database = currentDatabase()";
    const read = async (sql: string) => (await exec({ sql, params })).rows;
    const tableRows = await read(
      `SELECT name AS t, engine, sorting_key AS order_by, primary_key AS pk FROM system.tables WHERE ${here} AND engine LIKE '%MergeTree'${only("name")} ORDER BY name`,
    );
    const indexRows = await read(`SELECT table AS t, name, expr FROM system.data_skipping_indices WHERE ${here}${only("table")} ORDER BY table, name`);
    return describeRows({
      tables: tableRows.map((r) => ({ ...r, order_by: splitList(r.order_by).join(",") })),
      columns: await read(
        "SELECT table AS t, name AS c, type, startsWith(type, 'Nullable(') OR startsWith(type, 'LowCardinality(Nullable(') AS nullable, " +
          `if(default_kind = 'DEFAULT', default_expression, NULL) AS dflt FROM system.columns WHERE ${here}${only("table")} ORDER BY table, position`,
      ),
      // ClickHouse enforces no uniqueness; DotORM's `uq_` name keeps the model's intent, for `inspect`.
      indexes: indexRows.flatMap((r) => splitList(r.expr).map((c) => ({ t: r.t, name: r.name, c, uniq: String(r.name).startsWith("uq_") }))),
      foreignKeys: [],
      primaryKeys: tableRows.flatMap((r) => splitList(r.pk).map((c) => ({ t: r.t, c }))),
    });
  }
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
