import { type Exec, type Introspector, type SchemaState, schemaState } from "@dotorm/core";

/** Reads tables, columns and data-skipping indexes of the current database from `system.*` (no foreign keys exist). */
export class ClickHouseIntrospector implements Introspector {
  async introspect(exec: Exec, tables: readonly string[]): Promise<SchemaState> {
    const params = { tables: [...tables] };
    const where = "database = currentDatabase() AND table IN {tables:Array(String)}";
    const cols = await exec({ sql: `SELECT table AS t, name AS c FROM system.columns WHERE ${where}`, params });
    const idx = await exec({ sql: `SELECT table AS t, name AS c FROM system.data_skipping_indices WHERE ${where}`, params });
    return schemaState({ columns: cols.rows, indexes: idx.rows });
  }
}
