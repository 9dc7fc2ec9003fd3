import type { OnDelete } from "../model/field.js";
import type { Database } from "../run/database.js";
import type { RawSql } from "../run/raw-sql.js";
import type { ColumnField, TableOptions } from "./column-field.js";
import { MigrationError } from "./migration-error.js";
import { type Operation, describeOperation, destructiveReason } from "./operations.js";
import { renderOperation } from "./render-operation.js";

/** Options of a {@link SchemaBuilder}. */
export interface SchemaBuilderOptions {
  /** Lets operations that lose data run (`--allow-destructive`). */
  readonly allowDestructive?: boolean;
  /** Called with each statement before it is sent (progress output). */
  readonly onStatement?: (sql: string, step: number) => void;
}

/**
 * `db.schema` inside a migration: each call is one step, rendered by the adapter's DDL compiler
 * and run at once. Steps that lose data are refused unless the run allows them.
 *
 * @example
 * export async function up(db: MigrationDb) {
 *   await db.schema.addColumn("leads", "probability", f.integer());
 *   await db.schema.addIndex("leads", "idx_leads_probability", ["probability"]);
 * }
 */
export class SchemaBuilder {
  /** Steps started so far (schema calls and `db.sql` statements). */
  steps = 0;
  /** What the current (or last) step does. */
  current = "";

  constructor(
    private readonly db: Database,
    private readonly options: SchemaBuilderOptions = {},
  ) {}

  /** Statements sent so far. */
  sent = 0;

  /** Runs one operation (the form `migrate generate` plans in); `label` replaces its description. */
  async apply(op: Operation, label?: string): Promise<void> {
    this.begin(label ?? describeOperation(op));
    const reason = destructiveReason(op);
    if (reason && !this.options.allowDestructive) {
      throw new MigrationError(
        `refused: this step ${reason}; run again with --allow-destructive (allowDestructive: true) once the data is backed up or no longer needed`,
      );
    }
    for (const sql of renderOperation(op, this.db.adapter.ddl)) {
      this.options.onStatement?.(sql, this.steps);
      await this.db.exec({ sql, params: [] }, { operation: "migrate" });
      this.sent++;
    }
  }

  /** Starts a step (also used for `db.sql` statements). @internal */
  begin(description: string): void {
    this.steps++;
    this.current = description;
  }

  createTable(table: string, columns: Readonly<Record<string, ColumnField>>, options?: TableOptions): Promise<void> {
    return this.apply({ kind: "createTable", table, columns, options });
  }

  /** Drops a table and its rows (destructive). */
  dropTable(table: string): Promise<void> {
    return this.apply({ kind: "dropTable", table, columns: {} }, `drop table ${table}`);
  }

  addColumn(table: string, column: string, field: ColumnField): Promise<void> {
    return this.apply({ kind: "addColumn", table, column, field });
  }

  /** Drops a column and its values (destructive). */
  dropColumn(table: string, column: string): Promise<void> {
    return this.apply(
      { kind: "dropColumn", table, column, field: { kind: "text", required: false, options: {} } },
      `drop column ${table}.${column}`,
    );
  }

  renameColumn(table: string, from: string, to: string): Promise<void> {
    return this.apply({ kind: "renameColumn", table, from, to });
  }

  /** Changes a column's type, nullability or default from `options.from` to `to`. */
  alterColumn(table: string, column: string, to: ColumnField, options: { from: ColumnField }): Promise<void> {
    return this.apply({ kind: "alterColumn", table, column, from: options.from, to });
  }

  addIndex(table: string, name: string, columns: readonly string[], options: { unique?: boolean } = {}): Promise<void> {
    return this.apply({ kind: "addIndex", table, name, columns, unique: options.unique === true });
  }

  dropIndex(table: string, name: string): Promise<void> {
    return this.apply({ kind: "dropIndex", table, name, columns: [], unique: false }, `drop index ${name} on ${table}`);
  }

  addForeignKey(
    table: string,
    name: string,
    column: string,
    refTable: string,
    options: { onDelete: OnDelete },
  ): Promise<void> {
    return this.apply({ kind: "addForeignKey", table, name, column, refTable, onDelete: options.onDelete });
  }

  dropForeignKey(table: string, name: string): Promise<void> {
    return this.apply(
      { kind: "dropForeignKey", table, name, column: "", refTable: "", onDelete: "no action" },
      `drop foreign key ${name} on ${table}`,
    );
  }

  /**
   * A many2many link table: two reference columns, their pair as the primary key. `key1`/`key2`
   * give the type of a referenced declared key (default: an integer identity id).
   *
   * @example
   * await db.schema.createLinkTable("token_countries", "token_id", "country_id", { key1: f.uuid(), key2: f.char({ maxLength: 2 }) });
   */
  createLinkTable(
    table: string,
    column1: string,
    column2: string,
    keys: { key1?: ColumnField; key2?: ColumnField } = {},
  ): Promise<void> {
    return this.apply({ kind: "createLinkTable", table, column1, column2, ...keys });
  }

  /** Drops a link table and its links (destructive). */
  dropLinkTable(table: string): Promise<void> {
    return this.apply({ kind: "dropLinkTable", table, column1: "", column2: "" }, `drop link table ${table}`);
  }
}

/** What a migration's `up(db)` and `down(db)` receive. */
export interface MigrationDb {
  /** Schema changes, one step per call. */
  readonly schema: SchemaBuilder;
  /** Raw SQL with bound values, one step per statement (data migrations). */
  readonly sql: RawSql;
  /** The connected database: models bound to it work as usual (`Lead.updateMany(...)`). */
  readonly database: Database;
  /** The adapter's dialect name, for the rare hand-written branch. */
  readonly dialect: string;
}

/** The `db` a migration receives; `db.sql` statements count as steps. */
export function migrationDb(db: Database, schema: SchemaBuilder): MigrationDb {
  const sql = ((strings: TemplateStringsArray, ...values: unknown[]) => {
    schema.begin(`sql: ${strings.join("?").replace(/\s+/g, " ").trim().slice(0, 80)}`);
    schema.sent++;
    return db.sql(strings, ...values);
  }) as RawSql;
  sql.id = db.sql.id;
  sql.as = db.sql.as;
  return { schema, sql, database: db, dialect: db.adapter.dialect };
}
