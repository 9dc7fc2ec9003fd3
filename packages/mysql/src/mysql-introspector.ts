import type { Exec, Introspector, SchemaState, TableState } from "@dotorm/core";

/**
 * Reads tables, columns, indexes and foreign keys of the connection's database from
 * information_schema (the same views on MySQL 8 and MariaDB).
 *
 * @example
 * await new MysqlIntrospector().introspect(exec, ["chats"]) // Map { "chats" => { columns, indexes, foreignKeys } }
 */
export class MysqlIntrospector implements Introspector {
  async introspect(exec: Exec, tables: readonly string[]): Promise<SchemaState> {
    const state = new Map<string, { columns: Set<string>; indexes: Set<string>; foreignKeys: Set<string> }>();
    if (tables.length === 0) return state;
    const list = tables.map(() => "?").join(", ");
    const params = [...tables];
    const read = (sql: string) => exec({ sql: `${sql} AND table_name IN (${list})`, params });
    // Aliases keep the keys lower-case: MySQL 8 reports information_schema columns in upper case.
    const cols = await read("SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()");
    const idx = await read("SELECT DISTINCT table_name AS t, index_name AS c FROM information_schema.statistics WHERE table_schema = DATABASE()");
    const fks = await read(
      "SELECT table_name AS t, constraint_name AS c FROM information_schema.table_constraints WHERE table_schema = DATABASE() AND constraint_type = 'FOREIGN KEY'",
    );
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
