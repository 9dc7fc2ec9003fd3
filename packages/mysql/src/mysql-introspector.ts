import {
  type Exec,
  type Introspector,
  type SchemaInfo,
  type SchemaState,
  describeRows,
  schemaState,
} from "@dotorm/core";

/**
 * `int(11)` -> `INT`, `tinyint(1)` -> `BOOLEAN`, `decimal(18,2)` -> `DECIMAL(18, 2)`: MariaDB's
 * column types in the DDL compiler's spelling (mysql-ddl.ts); `json` marks MariaDB's checked LONGTEXT.
 */
export function mysqlTypeName(type: string, json: boolean): string {
  if (json) return "JSON";
  const t = type.toLowerCase().replace(/\s+unsigned$/, "");
  if (t === "tinyint(1)") return "BOOLEAN";
  const bare = t.replace(/^(tinyint|smallint|mediumint|int|bigint)\(\d+\)$/, "$1");
  return bare.toUpperCase().replace(/,(\S)/g, ", $1");
}

/**
 * Reads tables, columns, indexes and foreign keys of the connection's database from
 * information_schema (the same views on MySQL 8 and MariaDB).
 *
 * @example
 * await new MysqlIntrospector().introspect(exec, ["chats"]) // Map { "chats" => { columns, indexes, foreignKeys } }
 */
export class MysqlIntrospector implements Introspector {
  async introspect(exec: Exec, tables: readonly string[]): Promise<SchemaState> {
    if (tables.length === 0) return new Map();
    const list = tables.map(() => "?").join(", ");
    const params = [...tables];
    const read = (sql: string) => exec({ sql: `${sql} AND table_name IN (${list})`, params });
    // Aliases keep the keys lower-case: MySQL 8 reports information_schema columns in upper case.
    const cols = await read(
      "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()",
    );
    const idx = await read(
      "SELECT DISTINCT table_name AS t, index_name AS c FROM information_schema.statistics WHERE table_schema = DATABASE()",
    );
    const fks = await read(
      "SELECT table_name AS t, constraint_name AS c FROM information_schema.table_constraints WHERE table_schema = DATABASE() AND constraint_type = 'FOREIGN KEY'",
    );
    return schemaState({ columns: cols.rows, indexes: idx.rows, foreignKeys: fks.rows });
  }

  /** Column types, NULL, defaults, indexes in key order, foreign keys with their delete rule, primary keys. */
  async describe(exec: Exec, tables?: readonly string[]): Promise<SchemaInfo> {
    const params = tables ? [...tables] : [];
    const only = (col: string) =>
      tables ? (tables.length ? ` AND ${col} IN (${tables.map(() => "?").join(", ")})` : " AND FALSE") : "";
    const read = async (sql: string) => (await exec({ sql, params })).rows;
    const here = "table_schema = DATABASE()";
    const columns = await read(
      "SELECT table_name AS t, column_name AS c, column_type AS type, data_type AS dt, is_nullable AS nullable, column_default AS dflt " +
        `FROM information_schema.columns WHERE ${here}${only("table_name")} ORDER BY table_name, ordinal_position`,
    );
    // MariaDB's JSON is LONGTEXT with a json_valid check named after the column; MySQL 8 reports json.
    const checks = await exec({
      sql: `SELECT table_name AS t, constraint_name AS c, check_clause AS cc FROM information_schema.check_constraints WHERE constraint_schema = DATABASE()`,
      params: [],
    }).then(
      (r) => r.rows,
      () => [],
    );
    const json = new Set(
      checks.filter((r) => /^json_valid\(/i.test(String(r.cc))).map((r) => `${String(r.t)}.${String(r.c)}`),
    );
    const isJson = new Set(
      columns
        .filter((r) => String(r.dt).toLowerCase() === "json" || json.has(`${String(r.t)}.${String(r.c)}`))
        .map((r) => `${String(r.t)}.${String(r.c)}`),
    );
    return describeRows(
      {
        tables: await read(
          `SELECT table_name AS t FROM information_schema.tables WHERE ${here} AND table_type = 'BASE TABLE'${only("table_name")} ORDER BY table_name`,
        ),
        columns,
        indexes: await read(
          "SELECT table_name AS t, index_name AS name, column_name AS c, non_unique = 0 AS uniq FROM information_schema.statistics " +
            `WHERE ${here} AND index_name <> 'PRIMARY'${only("table_name")} ORDER BY table_name, index_name, seq_in_index`,
        ),
        foreignKeys: await read(
          "SELECT k.table_name AS t, k.constraint_name AS name, k.column_name AS c, k.referenced_table_name AS ref, r.delete_rule AS del " +
            "FROM information_schema.key_column_usage k JOIN information_schema.referential_constraints r " +
            "ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name " +
            `WHERE k.${here} AND k.referenced_table_name IS NOT NULL AND k.ordinal_position = 1${only("k.table_name")} ORDER BY k.table_name, k.constraint_name`,
        ),
        primaryKeys: await read(
          `SELECT table_name AS t, column_name AS c FROM information_schema.statistics WHERE ${here} AND index_name = 'PRIMARY'${only("table_name")} ORDER BY table_name, seq_in_index`,
        ),
      },
      (type, table, column) => mysqlTypeName(type, isJson.has(`${table}.${column}`)),
    );
  }
}
