import { ConfigurationError, DdlCompiler, type FieldMeta, type LinkTable, type ModelMeta, UnsupportedError } from "@dotorm/core";
import { columnType } from "./clickhouse-types.js";
import { quoteClickHouse } from "./quote-ident.js";

/** Table settings every DotORM table gets: block numbers make lightweight `UPDATE` possible. */
const SETTINGS = " SETTINGS enable_block_number_column = 1, enable_block_offset_column = 1";

/**
 * ClickHouse DDL: MergeTree tables ordered by `id` (or the model's `clickhouse.orderBy`), with
 * `partitionBy` and `ttl` from the model options; Nullable for optional fields; data-skipping
 * indexes for `index`/`unique` (ClickHouse enforces no uniqueness and has no foreign keys).
 * https://clickhouse.com/docs/engines/table-engines/mergetree-family/mergetree
 */
export class ClickHouseDdl extends DdlCompiler {
  /** `cluster`: every CREATE, ALTER and DROP TABLE runs `ON CLUSTER` it (distributed DDL). */
  constructor(private readonly cluster?: string) {
    super();
  }

  override tableRef(table: string): string {
    return this.cluster === undefined ? this.quote(table) : `${this.quote(table)} ON CLUSTER ${this.quote(this.cluster)}`;
  }

  override quote(name: string): string {
    return quoteClickHouse(name);
  }

  idColumn(): string {
    return `${this.quote("id")} Int64`;
  }

  override referenceType(): string {
    return "Int64";
  }

  /** A declared key: its type, not Nullable; the table is ordered by it (no PRIMARY KEY clause needed). */
  override keyColumn(model: ModelMeta): string {
    return `${this.quote("id")} ${columnType(model.id)}`;
  }

  columnType(field: FieldMeta): string {
    return columnType(field);
  }

  /** References too are `Nullable(Int64)` unless required. */
  override typeOf(field: FieldMeta): string {
    return columnType(field);
  }

  override checkModel(model: ModelMeta): void {
    const ch = model.options.clickhouse;
    for (const key of typeof ch?.orderBy === "string" || !ch?.orderBy ? [] : ch.orderBy) {
      const field = model.fields.get(key);
      if (!field?.stored) throw new ConfigurationError(`${model.table}: clickhouse.orderBy names "${key}", which is not a stored field`);
      if (!field.required && field.name !== "id") {
        throw new ConfigurationError(`${model.table}: clickhouse.orderBy field "${key}" must be required (ClickHouse sorting keys cannot be Nullable)`);
      }
    }
  }

  override defaultClause(field: FieldMeta): string {
    const d = field.def.options.default;
    if (d === "now" && field.kind === "datetime") return " DEFAULT now64(3)";
    if (d === "now" && field.kind === "date") return " DEFAULT today()";
    if (d === "now" && field.kind === "time") return "";
    return super.defaultClause(field);
  }

  /** ClickHouse string literals escape quotes and backslashes with a backslash. https://clickhouse.com/docs/sql-reference/syntax#string */
  protected override literal(text: string): string {
    return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  }

  /** Nullability lives in the type (`Nullable(T)`), so no NOT NULL clause. */
  override columnDef(field: FieldMeta): string {
    return `${this.quote(field.column)} ${this.columnType(field)}${this.defaultClause(field)}`;
  }

  override tableOptions(model: ModelMeta): string {
    const ch = model.options.clickhouse ?? {};
    const orderBy = !ch.orderBy
      ? this.quote("id")
      : typeof ch.orderBy === "string"
        ? ch.orderBy
        : ch.orderBy.map((k) => this.quote(model.fields.get(k)?.column ?? k)).join(", ");
    let sql = ` ENGINE = ${this.engine(model.table, ch.engine ?? "MergeTree")}`;
    if (ch.partitionBy) sql += ` PARTITION BY ${ch.partitionBy}`;
    sql += ` ORDER BY (${orderBy})`;
    if (ch.ttl) sql += ` TTL ${ch.ttl}`;
    return sql + SETTINGS;
  }

  /**
   * The table engine: on a cluster, a MergeTree-family engine becomes its `Replicated` form, with the
   * standard `{shard}` and `{replica}` macros each node defines, so every replica of a shard holds
   * the same rows. An engine already replicated, or outside the family, is kept as the model gives it.
   *
   * @example
   * engine("leads", "ReplacingMergeTree(version)")
   * // "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/leads', '{replica}', version)"
   */
  engine(table: string, engine: string): string {
    const m = /^(Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing|Graphite)?MergeTree\s*(?:\((.*)\))?$/s.exec(engine.trim());
    if (this.cluster === undefined || !m) return engine;
    const path = `'/clickhouse/tables/{shard}/{database}/${table.replace(/'/g, "")}'`;
    const args = m[2]?.trim() ? `, ${m[2].trim()}` : "";
    return `Replicated${m[1] ?? ""}MergeTree(${path}, '{replica}'${args})`;
  }

  override createIndex(name: string, table: string, columns: readonly string[]): string {
    return `ALTER TABLE ${this.tableRef(table)} ADD INDEX ${this.quote(name)} (${columns.map((c) => this.quote(c)).join(", ")}) TYPE bloom_filter GRANULARITY 4`;
  }

  override addForeignKey(): string {
    throw new UnsupportedError("foreign keys", "clickhouse", "references are not enforced; see the @dotorm/clickhouse README");
  }

  override createLinkTable(link: LinkTable): string {
    const [a, b] = [this.quote(link.column1), this.quote(link.column2)];
    return `CREATE TABLE ${this.tableRef(link.table)} (${a} ${this.refType(link.owner)}, ${b} ${this.refType(link.target)}) ENGINE = ${this.engine(link.table, "MergeTree")} ORDER BY (${a}, ${b})${SETTINGS}`;
  }

  /** MODIFY COLUMN restates type and default; a default that goes away needs REMOVE DEFAULT. https://clickhouse.com/docs/sql-reference/statements/alter/column#modify-column */
  override alterColumn(table: string, from: FieldMeta, to: FieldMeta): string[] {
    const t = `ALTER TABLE ${this.tableRef(table)} MODIFY COLUMN`;
    const type = this.columnType(to);
    // Nullable -> not nullable needs a DEFAULT for the NULLs: the type's zero value, removed after.
    const fill = !from.required && to.required && !this.defaultClause(to);
    const def = fill ? `${this.quote(to.column)} ${type} DEFAULT defaultValueOfTypeName('${type}')` : this.columnDef(to);
    const out = [`${t} ${def}`];
    if ((this.defaultClause(from) || fill) && !this.defaultClause(to)) out.push(`${t} ${this.quote(to.column)} REMOVE DEFAULT`);
    return out;
  }

  override dropIndex(name: string, table: string): string {
    return `ALTER TABLE ${this.tableRef(table)} DROP INDEX ${this.quote(name)}`;
  }

  override dropForeignKey(): string {
    throw new UnsupportedError("foreign keys", "clickhouse", "references are not enforced; see the @dotorm/clickhouse README");
  }
}
