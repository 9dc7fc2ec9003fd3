import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import type { OnDelete } from "../model/field.js";

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
  /** Quotes an identifier. */
  abstract quote(name: string): string;

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

  /** A statement that serialises concurrent `sync` calls inside its transaction, where the database has one. */
  syncLock(): string | undefined {
    return undefined;
  }

  /** The `id` column definition. */
  abstract idColumn(): string;

  /** The type of a column referencing an id (many2one, link tables). */
  referenceType(): string {
    return "INTEGER";
  }

  /** A DEFAULT clause for static defaults and `"now"`, or "" when the default is applied in JS. */
  defaultClause(field: FieldMeta): string {
    const d = field.def.options.default;
    if (d === "now" && (field.kind === "datetime" || field.kind === "date" || field.kind === "time")) {
      return " DEFAULT CURRENT_TIMESTAMP";
    }
    if (typeof d === "boolean") return ` DEFAULT ${d ? "TRUE" : "FALSE"}`;
    if (typeof d === "number" && Number.isFinite(d) && field.kind !== "json") return ` DEFAULT ${d}`;
    if (typeof d === "string" && (field.kind === "char" || field.kind === "text" || field.kind === "selection")) {
      return ` DEFAULT '${d.replace(/'/g, "''")}'`;
    }
    return "";
  }

  /** A full column definition. `allowNotNull` is false when adding to a table that may have rows. */
  columnDef(field: FieldMeta, allowNotNull = true): string {
    const type = field.kind === "many2one" ? this.referenceType() : this.columnType(field);
    const notNull = field.required && (allowNotNull || this.defaultClause(field) !== "") ? " NOT NULL" : "";
    return `${this.quote(field.column)} ${type}${notNull}${this.defaultClause(field)}`;
  }

  createTable(model: ModelMeta): string {
    const cols = [this.idColumn(), ...model.columns.map((c) => this.columnDef(c))];
    return `CREATE TABLE ${this.quote(model.table)} (${cols.join(", ")})${this.tableOptions(model)}`;
  }

  /** Text after the closing parenthesis of CREATE TABLE (engine, charset). */
  tableOptions(_model: ModelMeta): string {
    return "";
  }

  addColumn(model: ModelMeta, field: FieldMeta): string {
    return `ALTER TABLE ${this.quote(model.table)} ADD COLUMN ${this.columnDef(field, false)}`;
  }

  createIndex(name: string, table: string, columns: readonly string[], unique: boolean): string {
    return `CREATE ${unique ? "UNIQUE " : ""}INDEX ${this.quote(name)} ON ${this.quote(table)} (${columns.map((c) => this.quote(c)).join(", ")})`;
  }

  addForeignKey(name: string, table: string, column: string, refTable: string, onDelete: OnDelete): string {
    return (
      `ALTER TABLE ${this.quote(table)} ADD CONSTRAINT ${this.quote(name)} FOREIGN KEY (${this.quote(column)}) ` +
      `REFERENCES ${this.quote(refTable)} (${this.quote("id")}) ON DELETE ${onDelete.toUpperCase()}`
    );
  }

  createLinkTable(link: LinkTable): string {
    const t = this.referenceType();
    return (
      `CREATE TABLE ${this.quote(link.table)} (${this.quote(link.column1)} ${t} NOT NULL, ${this.quote(link.column2)} ${t} NOT NULL, ` +
      `PRIMARY KEY (${this.quote(link.column1)}, ${this.quote(link.column2)}))${this.tableOptions(link.owner)}`
    );
  }
}
