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
