import {
  type Exec,
  type Introspector,
  type SchemaInfo,
  type SchemaState,
  describeRows,
  schemaState,
} from "@dotorm/core";

/** PostgreSQL's `format_type` names in the spelling of the DDL compiler (postgres-ddl.ts). */
const typeNames: Record<string, string> = {
  "timestamp with time zone": "TIMESTAMPTZ",
  "time without time zone": "TIME",
  "character varying": "VARCHAR",
  numeric: "NUMERIC",
};

/** `character varying(80)` -> `VARCHAR(80)`, `numeric(18,2)` -> `NUMERIC(18, 2)`, `integer` -> `INTEGER`. */
export function pgTypeName(type: string): string {
  const m = /^([a-z ]+?)(\((\d+)(,(\d+))?\))?$/.exec(type);
  if (!m) return type.toUpperCase();
  const base = typeNames[m[1] as string] ?? (m[1] as string).toUpperCase();
  return m[2] ? `${base}(${m[3]}${m[5] !== undefined ? `, ${m[5]}` : ""})` : base;
}

/** Reads tables, columns, indexes and foreign keys of the current schema from the catalogs. */
export class PostgresIntrospector implements Introspector {
  async introspect(exec: Exec, tables: readonly string[]): Promise<SchemaState> {
    const params = [tables];
    const [cols, idx, fks] = [
      await exec({
        sql: "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1::text[])",
        params,
      }),
      await exec({
        sql: "SELECT tablename AS t, indexname AS c FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY($1::text[])",
        params,
      }),
      await exec({
        sql:
          "SELECT c.relname AS t, con.conname AS c FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid " +
          "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE con.contype = 'f' AND n.nspname = current_schema() AND c.relname = ANY($1::text[])",
        params,
      }),
    ];
    return schemaState({ columns: cols.rows, indexes: idx.rows, foreignKeys: fks.rows });
  }

  /** Types (as `format_type` spells them), NOT NULL, defaults, indexes by key order, foreign keys with ON DELETE, primary keys. */
  async describe(exec: Exec, tables?: readonly string[]): Promise<SchemaInfo> {
    const only = tables ? " AND c.relname = ANY($1::text[])" : "";
    const params = tables ? [tables] : [];
    const from = "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace";
    const inSchema = `n.nspname = current_schema() AND c.relkind IN ('r', 'p')${only}`;
    const keyCols =
      "CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum";
    const read = async (sql: string) => (await exec({ sql, params })).rows;
    return describeRows(
      {
        tables: await read(`SELECT c.relname AS t ${from} WHERE ${inSchema} ORDER BY c.relname`),
        columns: await read(
          "SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable, " +
            `pg_get_expr(d.adbin, d.adrelid) AS dflt ${from} JOIN pg_attribute a ON a.attrelid = c.oid ` +
            `LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE ${inSchema} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum`,
        ),
        indexes: await read(
          `SELECT c.relname AS t, i.relname AS name, a.attname AS c, ix.indisunique AS uniq ${from} JOIN pg_index ix ON ix.indrelid = c.oid ` +
            `JOIN pg_class i ON i.oid = ix.indexrelid ${keyCols} WHERE ${inSchema} AND NOT ix.indisprimary ORDER BY c.relname, i.relname, k.ord`,
        ),
        foreignKeys: await read(
          "SELECT c.relname AS t, con.conname AS name, a.attname AS c, r.relname AS ref, " +
            "CASE con.confdeltype WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null' WHEN 'r' THEN 'restrict' ELSE 'no action' END AS del " +
            `${from} JOIN pg_constraint con ON con.conrelid = c.oid JOIN pg_class r ON r.oid = con.confrelid ` +
            `JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = con.conkey[1] WHERE ${inSchema} AND con.contype = 'f' ORDER BY c.relname, con.conname`,
        ),
        primaryKeys: await read(
          `SELECT c.relname AS t, a.attname AS c ${from} JOIN pg_index ix ON ix.indrelid = c.oid ${keyCols} WHERE ${inSchema} AND ix.indisprimary ORDER BY c.relname, k.ord`,
        ),
      },
      pgTypeName,
    );
  }
}
