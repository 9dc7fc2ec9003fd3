import type { CompiledQuery, ExecResult } from "../run/adapter.js";

/** A table as the database reports it. */
export interface TableState {
  readonly columns: ReadonlySet<string>;
  /** Index names (unique or not), constraints included where the database backs them with an index. */
  readonly indexes: ReadonlySet<string>;
  /** Foreign key constraint names. */
  readonly foreignKeys: ReadonlySet<string>;
}

/** The part of the database schema `sync` cares about, keyed by table name. */
export type SchemaState = ReadonlyMap<string, TableState>;

/** Runs a statement through the pipeline (so instrumentation sees introspection too). */
export type Exec = (query: CompiledQuery) => Promise<ExecResult>;

/** Reads tables, columns, indexes and foreign keys back from the database. */
export interface Introspector {
  introspect(exec: Exec, tables: readonly string[]): Promise<SchemaState>;
}

/** A row of introspection: table `t`, name `c` (a column, an index or a foreign key). */
export interface NameRow {
  readonly t?: unknown;
  readonly c?: unknown;
}

/**
 * Builds the schema state from the three lists every introspector reads (`t` = table, `c` = name),
 * so adapters only write their catalog queries.
 *
 * @example
 * return schemaState({ columns: cols.rows, indexes: idx.rows, foreignKeys: fks.rows });
 */
export function schemaState(rows: { columns: readonly NameRow[]; indexes: readonly NameRow[]; foreignKeys?: readonly NameRow[] }): SchemaState {
  const state = new Map<string, { columns: Set<string>; indexes: Set<string>; foreignKeys: Set<string> }>();
  const table = (t: unknown) => {
    let s = state.get(String(t));
    if (!s) state.set(String(t), (s = { columns: new Set(), indexes: new Set(), foreignKeys: new Set() }));
    return s;
  };
  for (const r of rows.columns) table(r.t).columns.add(String(r.c));
  for (const r of rows.indexes) table(r.t).indexes.add(String(r.c));
  for (const r of rows.foreignKeys ?? []) table(r.t).foreignKeys.add(String(r.c));
  return state;
}
