import { DdlCompiler, type FieldMeta, type MigrationLockSql, type ModelMeta } from "@dotorm/core";
import { checkMysqlModel } from "./check-mysql-model.js";
import { quoteBackticks } from "./quote-ident.js";

/**
 * MySQL / MariaDB column types and table options: InnoDB, utf8mb4, a binary collation by default so
 * `=`, `unique` and `like` are case-sensitive as on PostgreSQL. DATETIME(6) holds UTC (the driver
 * sets the session time zone), BOOLEAN is TINYINT(1), JSON is a JSON column on MySQL and a
 * checked LONGTEXT on MariaDB.
 * https://dev.mysql.com/doc/refman/8.0/en/data-types.html · https://mariadb.com/kb/en/data-types/
 *
 * @example
 * new MysqlDdl().createTable(Chat.meta) // "CREATE TABLE `chats` (`id` INT NOT NULL AUTO_INCREMENT PRIMARY KEY, ...) ENGINE=InnoDB ..."
 */
export class MysqlDdl extends DdlCompiler {
  constructor(private readonly collation = "utf8mb4_bin") {
    super();
  }

  override quote(name: string): string {
    return quoteBackticks(name);
  }

  idColumn(): string {
    return `${this.quote("id")} INT NOT NULL AUTO_INCREMENT PRIMARY KEY`;
  }

  override checkModel(model: ModelMeta): void {
    checkMysqlModel(model);
  }

  override tableOptions(): string {
    return ` ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${this.collation}`;
  }

  columnType(field: FieldMeta): string {
    const o = field.def.options as Record<string, unknown>;
    switch (field.kind) {
      case "integer":
        return "INT";
      case "bigInteger":
        return "BIGINT";
      case "smallInteger":
        return "SMALLINT";
      case "char":
        return `VARCHAR(${o.maxLength ?? 255})`;
      case "selection":
        return `VARCHAR(${this.selectionLength(field)})`;
      case "text":
        return "LONGTEXT";
      case "boolean":
        return "BOOLEAN";
      case "datetime":
        return "DATETIME(6)";
      case "date":
        return "DATE";
      case "time":
        return "TIME(6)";
      case "float":
        return "DOUBLE";
      case "decimal":
        return `DECIMAL(${o.precision ?? 18}, ${o.scale ?? 2})`;
      case "json":
        return "JSON";
      case "binary":
        return "LONGBLOB";
      // MySQL 8 has no UUID type (MariaDB 10.7 has): the canonical text; the ORM writes and compares it lower-case
      case "uuid":
        return "CHAR(36)";
      default:
        return "INT";
    }
  }

  /** Backslashes escaped too: MySQL string literals treat them as escapes. */
  protected override literal(text: string): string {
    return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
  }

  /** An expression default: MySQL 8.0.13+ refuses literal defaults on JSON (and TEXT) columns. https://dev.mysql.com/doc/refman/8.0/en/data-type-defaults.html */
  protected override jsonDefault(json: string): string {
    return `(${this.literal(json)})`;
  }

  /** `now` in the session's UTC; TEXT defaults as expressions, as JSON ones. */
  override defaultClause(field: FieldMeta): string {
    const d = field.def.options.default;
    if (d === "now") {
      if (field.kind === "datetime") return " DEFAULT CURRENT_TIMESTAMP(6)";
      if (field.kind === "date") return " DEFAULT (CURRENT_DATE)";
      if (field.kind === "time") return " DEFAULT (CURRENT_TIME(6))";
    }
    if (typeof d === "string" && field.kind === "text") return ` DEFAULT (${this.literal(d)})`;
    return super.defaultClause(field);
  }

  /** A named lock per database, held by the sync's connection (DDL commits implicitly, the lock stays). */
  override syncLock(): MigrationLockSql {
    return {
      acquire: "SELECT GET_LOCK(CONCAT('dotorm_sync:', DATABASE()), 60) AS got",
      release: "SELECT RELEASE_LOCK(CONCAT('dotorm_sync:', DATABASE())) AS released",
    };
  }

  /** A named lock per database, held by the migration's connection. https://mariadb.com/kb/en/get_lock/ */
  override migrationLock(): MigrationLockSql {
    return {
      acquire: "SELECT GET_LOCK(CONCAT('dotorm_migrations:', DATABASE()), 60) AS got",
      release: "SELECT RELEASE_LOCK(CONCAT('dotorm_migrations:', DATABASE())) AS released",
    };
  }

  /** MySQL changes a column by restating it whole. https://mariadb.com/kb/en/alter-table/#modify-column */
  override alterColumn(table: string, _from: FieldMeta, to: FieldMeta): string[] {
    return [`ALTER TABLE ${this.quote(table)} MODIFY COLUMN ${this.columnDef(to)}`];
  }

  override dropIndex(name: string, table: string): string {
    return `DROP INDEX ${this.quote(name)} ON ${this.quote(table)}`;
  }

  override dropForeignKey(name: string, table: string): string {
    return `ALTER TABLE ${this.quote(table)} DROP FOREIGN KEY ${this.quote(name)}`;
  }
}
