import type { FieldMeta, ModelMeta, TableOptions } from "../model/model-meta.js";
import type { TableInfo, TableLayout } from "./schema.js";
import { quoteAnsi } from "./quote-ident.js";
import type { OnDelete } from "../model/field.js";

/**
 * How a migration run keeps two processes from applying the same migration: statements run on the
 * migration's own connection (inside its transaction where there is one). `acquire` must return
 * one row whose first value is 1 (or no rows) when the lock is held. Without one, core falls back
 * to a lock row with an expiry in `dotorm_migrations_lock`.
 */
export interface MigrationLockSql {
  readonly acquire: string;
  /** Run after the migration; absent when the lock ends with the transaction. */
  readonly release?: string;
}

/** A many2many link table to create. */
export interface LinkTable {
  readonly table: string;
  readonly column1: string;
  readonly column2: string;
  readonly owner: ModelMeta;
  readonly target: ModelMeta;
}

/**
 * Renders DDL. Adapters override `columnType` (and whatever else differs, such as the id column or
 * table options); the statements themselves are standard.
 */
export abstract class DdlCompiler {
  /** Quotes an identifier; the standard (ANSI) rule unless the dialect quotes otherwise. */
  quote(name: string): string {
    return quoteAnsi(name);
  }

  /** The column type of a stored field, e.g. `VARCHAR(255)`. */
  abstract columnType(field: FieldMeta): string;

  /** The width of a VARCHAR holding a selection: its longest value, and at least 64 so options can grow. */
  protected selectionLength(field: FieldMeta): number {
    const options = (field.def.options as { options?: readonly (readonly [string, string])[] }).options ?? [];
    return Math.max(64, ...options.map(([value]) => value.length));
  }

  /**
   * Refuses, before any DDL is sent, a model this database cannot hold (for example a unique
   * `text` column on MySQL), by throwing a `ConfigurationError` that names the field and the fix.
   * Called by `planSync` for every model; the default accepts everything.
   *
   * @example
   * override checkModel(model: ModelMeta) { if (tooWide(model)) throw new ConfigurationError("...") }
   */
  checkModel(_model: ModelMeta): void {}

  /**
   * The lock that serialises concurrent `sync` calls, where the database has one: taken on the sync's
   * own connection (inside a transaction, which pins it) before the schema is read, and released by
   * `release` or when the transaction ends. None by default: two syncs may then race.
   *
   * @example
   * override syncLock() { return { acquire: "SELECT pg_advisory_xact_lock(1)" }; }
   */
  syncLock(): MigrationLockSql | undefined {
    return undefined;
  }

  /** The `id` column definition. */
  abstract idColumn(): string;

  /** The type of a column referencing an identity id (many2one, link tables). */
  referenceType(): string {
    return "INTEGER";
  }

  /** The type of a column referencing `target`'s id: the identity's reference type, or the declared key's own type. */
  refType(target: ModelMeta): string {
    return target.identity ? this.referenceType() : this.columnType(target.id);
  }

  /**
   * The `id` column of a model that declares its key (`id: f.uuid({ primaryKey: true })`): the
   * key's type, given on insert, no identity.
   *
   * @example
   * ddl.keyColumn(Token.meta) // '"id" UUID NOT NULL PRIMARY KEY' (PostgreSQL)
   */
  keyColumn(model: ModelMeta): string {
    return `${this.quote("id")} ${this.columnType(model.id)} NOT NULL PRIMARY KEY`;
  }

  /** A string literal in this dialect (standard SQL doubles quotes; MySQL and ClickHouse also escape backslashes). */
  protected literal(text: string): string {
    return `'${text.replace(/'/g, "''")}'`;
  }

  /** The DEFAULT expression of a JSON field's static default, given its JSON text (MySQL wraps it as an expression). */
  protected jsonDefault(json: string): string {
    return this.literal(json);
  }

  /**
   * A DEFAULT clause for static defaults (JSON values included) and `"now"`, or "" when the default
   * is applied in JS only (a function, or a value the column cannot state). The ORM applies static
   * defaults too, so rows written through it and rows written by other tools agree.
   *
   * @example
   * ddl.defaultClause(Lead.meta.fields.get("tags")!) // " DEFAULT '[\"new\"]'" (PostgreSQL)
   */
  defaultClause(field: FieldMeta): string {
    const d = field.def.options.default;
    if (d === undefined || d === null || typeof d === "function") return "";
    if (field.kind === "json") return ` DEFAULT ${this.jsonDefault(JSON.stringify(d))}`;
    if (d === "now" && (field.kind === "datetime" || field.kind === "date" || field.kind === "time")) {
      return " DEFAULT CURRENT_TIMESTAMP";
    }
    if (typeof d === "boolean") return ` DEFAULT ${d ? "TRUE" : "FALSE"}`;
    if (typeof d === "number" && Number.isFinite(d)) return ` DEFAULT ${d}`;
    if (typeof d === "string" && (field.kind === "char" || field.kind === "text" || field.kind === "selection")) {
      return ` DEFAULT ${this.literal(d)}`;
    }
    if (field.kind === "decimal" && typeof d === "string" && /^-?\d+(\.\d+)?$/.test(d)) return ` DEFAULT ${d}`;
    if (field.kind === "date" && typeof d === "string" && /^\d{4}-\d{2}-\d{2}$/.test(d))
      return ` DEFAULT ${this.literal(d)}`;
    return "";
  }

  /** A full column definition. `allowNotNull` is false when adding to a table that may have rows. */
  columnDef(field: FieldMeta, allowNotNull = true): string {
    const type = field.kind === "many2one" ? this.refType(field.target()) : this.columnType(field);
    const notNull = field.required && (allowNotNull || this.defaultClause(field) !== "") ? " NOT NULL" : "";
    return `${this.quote(field.column)} ${type}${notNull}${this.defaultClause(field)}`;
  }

  createTable(model: ModelMeta): string {
    const cols = [
      model.identity ? this.idColumn() : this.keyColumn(model),
      ...model.columns.map((c) => this.columnDef(c)),
    ];
    return `CREATE TABLE ${this.tableRef(model.table)} (${cols.join(", ")})${this.tableOptions(model)}`;
  }

  /**
   * The table as CREATE, ALTER and DROP TABLE name it: the quoted name, and on a ClickHouse cluster
   * followed by `ON CLUSTER`.
   *
   * @example
   * ddl.tableRef("leads") // '"leads"' (PostgreSQL), '`leads` ON CLUSTER `main`' (clickhouse({ cluster: "main" }))
   */
  tableRef(table: string): string {
    return this.quote(table);
  }

  /** Text after the closing parenthesis of CREATE TABLE (engine, charset). */
  tableOptions(_model: ModelMeta): string {
    return "";
  }

  // Adapter table options (the keys an adapter declares on ModelOptions) in migrations: core
  // carries them opaquely; these hooks are where the adapter reads, writes and compares them.

  /**
   * The adapter's options of `model` as a migration's `createTable` writes them (field keys turned
   * into column names where the adapter needs them); none by default.
   *
   * @example
   * ddl.migrationOptions(Event) // { clickhouse: { orderBy: ["kind", "at", "id"] } } (ClickHouse)
   */
  migrationOptions(_model: ModelMeta): TableOptions {
    return {};
  }

  /**
   * The options a migration writes back for a table the database reports (a dropped table's
   * reverse, `inspect`'s models); `forModel` leaves out what a model states by default. None by default.
   */
  migrationOptionsOf(_info: TableInfo, _forModel = false): TableOptions {
    return {};
  }

  /** The engine and sorting key `model` asks for, where the database has them; none by default. */
  tableLayout(_model: ModelMeta): TableLayout {
    return {};
  }

  /**
   * Refuses, with an `UnsupportedError`, a layout change a migration cannot make in place (ClickHouse:
   * a new ORDER BY or engine); `want` is {@link tableLayout}'s. Accepts everything by default.
   */
  checkLayout(_table: string, _want: TableLayout, _have: TableInfo): void {}

  addColumn(model: ModelMeta, field: FieldMeta): string {
    return `ALTER TABLE ${this.tableRef(model.table)} ADD COLUMN ${this.columnDef(field, false)}`;
  }

  createIndex(name: string, table: string, columns: readonly string[], unique: boolean): string {
    return `CREATE ${unique ? "UNIQUE " : ""}INDEX ${this.quote(name)} ON ${this.quote(table)} (${columns.map((c) => this.quote(c)).join(", ")})`;
  }

  addForeignKey(name: string, table: string, column: string, refTable: string, onDelete: OnDelete): string {
    return (
      `ALTER TABLE ${this.tableRef(table)} ADD CONSTRAINT ${this.quote(name)} FOREIGN KEY (${this.quote(column)}) ` +
      `REFERENCES ${this.quote(refTable)} (${this.quote("id")}) ON DELETE ${onDelete.toUpperCase()}`
    );
  }

  createLinkTable(link: LinkTable): string {
    const [t1, t2] = [this.refType(link.owner), this.refType(link.target)];
    return (
      `CREATE TABLE ${this.tableRef(link.table)} (${this.quote(link.column1)} ${t1} NOT NULL, ${this.quote(link.column2)} ${t2} NOT NULL, ` +
      `PRIMARY KEY (${this.quote(link.column1)}, ${this.quote(link.column2)}))${this.tableOptions(link.owner)}`
    );
  }

  /** The type of a stored field's column, references included (used to compare with the database). */
  typeOf(field: FieldMeta): string {
    return field.kind === "many2one" ? this.refType(field.target()) : this.columnType(field);
  }

  /** The lock a migration run holds per migration (see {@link MigrationLockSql}); none by default. */
  migrationLock(): MigrationLockSql | undefined {
    return undefined;
  }

  dropTable(table: string): string {
    return `DROP TABLE ${this.tableRef(table)}`;
  }

  /** ADD COLUMN with the full definition (NOT NULL included: a migration says what it wants). */
  addColumnStrict(table: string, field: FieldMeta): string {
    return `ALTER TABLE ${this.tableRef(table)} ADD COLUMN ${this.columnDef(field)}`;
  }

  dropColumn(table: string, column: string): string {
    return `ALTER TABLE ${this.tableRef(table)} DROP COLUMN ${this.quote(column)}`;
  }

  renameColumn(table: string, from: string, to: string): string {
    return `ALTER TABLE ${this.tableRef(table)} RENAME COLUMN ${this.quote(from)} TO ${this.quote(to)}`;
  }

  /**
   * Changes a column from `from` to `to` (type, nullability, default), in the standard form:
   * one ALTER COLUMN per change. MySQL and ClickHouse override it with MODIFY COLUMN.
   */
  alterColumn(table: string, from: FieldMeta, to: FieldMeta): string[] {
    const t = `ALTER TABLE ${this.tableRef(table)} ALTER COLUMN ${this.quote(to.column)}`;
    const out: string[] = [];
    const type = this.typeOf(to);
    if (this.typeOf(from) !== type) out.push(`${t} TYPE ${type} USING ${this.quote(to.column)}::${type}`);
    const [d1, d2] = [this.defaultClause(from), this.defaultClause(to)];
    if (d1 !== d2) out.push(d2 ? `${t} SET${d2}` : `${t} DROP DEFAULT`);
    if (from.required !== to.required) out.push(`${t} ${to.required ? "SET" : "DROP"} NOT NULL`);
    return out;
  }

  dropIndex(name: string, _table: string): string {
    return `DROP INDEX ${this.quote(name)}`;
  }

  dropForeignKey(name: string, table: string): string {
    return `ALTER TABLE ${this.tableRef(table)} DROP CONSTRAINT ${this.quote(name)}`;
  }
}
