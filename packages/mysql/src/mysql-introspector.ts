import { type Exec, type Introspector, type SchemaState, schemaState } from "@dotorm/core";

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
    const cols = await read("SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()");
    const idx = await read("SELECT DISTINCT table_name AS t, index_name AS c FROM information_schema.statistics WHERE table_schema = DATABASE()");
    const fks = await read(
      "SELECT table_name AS t, constraint_name AS c FROM information_schema.table_constraints WHERE table_schema = DATABASE() AND constraint_type = 'FOREIGN KEY'",
    );
    return schemaState({ columns: cols.rows, indexes: idx.rows, foreignKeys: fks.rows });
  }
}
