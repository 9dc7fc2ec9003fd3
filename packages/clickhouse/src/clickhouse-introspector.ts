import type { Exec, Introspector, SchemaState, TableState } from "@dotorm/core";

/** Reads tables, columns and data-skipping indexes of the current database from `system.*` (no foreign keys exist). */
export class ClickHouseIntrospector implements Introspector {
  async introspect(exec: Exec, tables: readonly string[]): Promise<SchemaState> {
    const params = { tables: [...tables] };
    const where = "database = currentDatabase() AND table IN {tables:Array(String)}";
    const cols = await exec({ sql: `SELECT table AS t, name AS c FROM system.columns WHERE ${where}`, params });
    const idx = await exec({ sql: `SELECT table AS t, name AS c FROM system.data_skipping_indices WHERE ${where}`, params });
    const state = new Map<string, { columns: Set<string>; indexes: Set<string>; foreignKeys: Set<string> }>();
    const get = (t: unknown) => {
      let s = state.get(String(t));
      if (!s) state.set(String(t), (s = { columns: new Set(), indexes: new Set(), foreignKeys: new Set() }));
      return s;
    };
    for (const r of cols.rows) get(r.t).columns.add(String(r.c));
    for (const r of idx.rows) get(r.t).indexes.add(String(r.c));
    return state as ReadonlyMap<string, TableState>;
  }
}
