import type { Exec, Introspector, SchemaState, TableState } from "@dotorm/core";

/** Reads tables, columns, indexes and foreign keys of the current schema from the catalogs. */
export class PostgresIntrospector implements Introspector {
  async introspect(exec: Exec, tables: readonly string[]): Promise<SchemaState> {
    const params = [tables];
    const [cols, idx, fks] = [
      await exec({
        sql: "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1::text[])",
        params,
      }),
      await exec({ sql: "SELECT tablename AS t, indexname AS c FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY($1::text[])", params }),
      await exec({
        sql:
          "SELECT c.relname AS t, con.conname AS c FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid " +
          "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE con.contype = 'f' AND n.nspname = current_schema() AND c.relname = ANY($1::text[])",
        params,
      }),
    ];
    const state = new Map<string, { columns: Set<string>; indexes: Set<string>; foreignKeys: Set<string> }>();
    const get = (t: unknown) => {
      let s = state.get(String(t));
      if (!s) state.set(String(t), (s = { columns: new Set(), indexes: new Set(), foreignKeys: new Set() }));
      return s;
    };
    for (const r of cols.rows) get(r.t).columns.add(String(r.c));
    for (const r of idx.rows) get(r.t).indexes.add(String(r.c));
    for (const r of fks.rows) get(r.t).foreignKeys.add(String(r.c));
    return state as ReadonlyMap<string, TableState>;
  }
}
