import type { CompiledQuery, ExecResult } from "./statement.js";

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
  /** The full structure of tables, for migrations and `inspect` (see {@link Describer}). */
  describe(exec: Exec, tables?: readonly string[]): Promise<SchemaInfo>;
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
export function schemaState(rows: {
  columns: readonly NameRow[];
  indexes: readonly NameRow[];
  foreignKeys?: readonly NameRow[];
}): SchemaState {
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

/** A column as the database reports it, in the DDL compiler's spelling (e.g. `VARCHAR(255)`). */
export interface ColumnInfo {
  readonly name: string;
  /** The type as the adapter's DDL would write it (ClickHouse: with `Nullable(...)`). */
  readonly type: string;
  readonly nullable: boolean;
  /** The DEFAULT expression as the database reports it, or null. */
  readonly default: string | null;
}

/** An index (unique or not) other than the primary key. */
export interface IndexInfo {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
}

/** A single-column foreign key and what happens on delete. */
export interface ForeignKeyInfo {
  readonly name: string;
  readonly column: string;
  readonly refTable: string;
  readonly onDelete: "cascade" | "set null" | "restrict" | "no action";
}

/** A table as the database reports it, for migrations, drift checks and `inspect`. */
export interface TableInfo {
  readonly name: string;
  readonly columns: readonly ColumnInfo[];
  readonly indexes: readonly IndexInfo[];
  readonly foreignKeys: readonly ForeignKeyInfo[];
  /** Columns of the primary key. */
  readonly primaryKey: readonly string[];
  /** Where the database has table engines and reports one (ClickHouse: e.g. `MergeTree`). */
  readonly engine?: string;
  /** Where the database has a sorting key and reports one: column names or expressions in order. */
  readonly orderBy?: readonly string[];
}

/**
 * A table's physical layout (engine, sorting key) as a model asks for it, from the adapter's
 * {@link DdlCompiler.tableLayout}: what the schema diff hands back to the adapter to compare with
 * the database's {@link TableInfo}. Empty where the database has neither.
 */
export type TableLayout = Pick<TableInfo, "engine" | "orderBy">;

/** Every table of a schema, by name. */
export type SchemaInfo = ReadonlyMap<string, TableInfo>;

/**
 * Reads the full structure of tables (every table of the current schema when `tables` is
 * omitted): what migrations diff against and `dotorm inspect` prints. Implemented by each adapter.
 *
 * @example
 * const info = await adapter.introspector.describe((q) => db.exec(q), ["leads"]);
 * info.get("leads")?.columns.map((c) => c.type) // ["INTEGER", "VARCHAR(255)", ...]
 */
export interface Describer {
  describe(exec: Exec, tables?: readonly string[]): Promise<SchemaInfo>;
}
