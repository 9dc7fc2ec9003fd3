import { type Exec, type Introspector, type SchemaState, schemaState } from "@dotorm/core";

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
    return schemaState({ columns: cols.rows, indexes: idx.rows, foreignKeys: fks.rows });
  }
}
