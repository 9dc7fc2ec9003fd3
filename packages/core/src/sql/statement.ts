import type { FieldMeta } from "../model/model-meta.js";

/**
 * What a statement does, set by the compiler that built it so drivers never guess it from the SQL
 * text: `select` returns rows (a read, a count, an aggregate), `insert` / `update` / `delete` write
 * rows, `ddl` changes the schema, `other` is anything else the ORM sends (a lock, a setting).
 * Raw SQL (`db.sql`, `db.explain`) has none: a driver that must know reads the text itself.
 */
export type StatementKind = "select" | "insert" | "update" | "delete" | "ddl" | "other";

/**
 * The rows of a bulk INSERT, for drivers that send them apart from the SQL (ClickHouse streams
 * them as TabSeparated through its insert API): arrays in `columns` order, already validated and
 * encoded by the compiler. When set, the statement's `sql` is only the rendered form (for logs
 * and events); the driver writes `rows` into `table`.
 */
export interface BulkRows {
  readonly table: string;
  readonly columns: readonly string[];
  /** Each column's field (undefined for a link table's key column), in `columns` order. */
  readonly fields: readonly (FieldMeta | undefined)[];
  readonly rows: readonly (readonly unknown[])[];
}

/**
 * A statement ready for the driver. ClickHouse takes named params (a record), the others a list.
 * `kind`, `bulk` and `generatedIds` are set by the compilers; a hand-written `{ sql, params }`
 * (raw SQL) leaves them out.
 */
export interface CompiledQuery {
  readonly sql: string;
  readonly params: readonly unknown[] | Readonly<Record<string, unknown>>;
  /** What the statement does (see {@link StatementKind}); absent for raw SQL. */
  readonly kind?: StatementKind;
  /** A bulk INSERT's rows, when the adapter's compiler sends them apart from the SQL. */
  readonly bulk?: BulkRows;
  /**
   * An INSERT of this many rows whose generated ids the caller reads. A driver whose database
   * reports them other than as rows of the statement (MySQL's insert id) returns them in
   * {@link ExecResult.ids}; one with `RETURNING` returns them as rows with an `id` column.
   */
  readonly generatedIds?: number;
}

/** What a driver returns for one statement. */
export interface ExecResult {
  readonly rows: readonly Record<string, unknown>[];
  /** Rows inserted, updated or deleted. */
  readonly affected: number;
  /**
   * The ids the database generated for an INSERT with `generatedIds` set, in row order, when they
   * did not come back as rows (MySQL: the insert id and `auto_increment_increment`). The one place
   * a driver reports new ids; the core reads them here, else from the rows' `id` column.
   */
  readonly ids?: readonly number[];
  /**
   * First generated id of an INSERT that returned no rows (MySQL's insert id), as the driver
   * library reported it. Informational: the core reads {@link ids}.
   */
  readonly insertId?: number;
  /** Distance between the generated ids of one statement (MySQL's `auto_increment_increment`). Informational, as `insertId`. */
  readonly insertIdStep?: number;
}

/** The statement kind of a query node's kind (a count or an aggregate reads rows). */
export function statementKind(
  node: "select" | "count" | "aggregate" | "insert" | "update" | "delete" | "unlink",
): StatementKind {
  return node === "count" || node === "aggregate" ? "select" : node === "unlink" ? "delete" : node;
}
