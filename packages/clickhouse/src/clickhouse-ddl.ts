import {
  ConfigurationError,
  DdlCompiler,
  type FieldMeta,
  type LinkTable,
  type ModelMeta,
  type TableInfo,
  type TableLayout,
  type TableOptions,
  UnsupportedError,
} from "@dotorm/core";
import { columnType } from "./clickhouse-types.js";
import { DdlBatches } from "./ddl-batches.js";
import { type DistributedOptions, distributedOf, localTable } from "./distributed.js";
import { checkLayout, layoutOf, migrationOptionsOf, optionsOfTable } from "./model-options.js";
import { quoteClickHouse } from "./quote-ident.js";

/** Table settings every DotORM table gets: block numbers make lightweight `UPDATE` possible. */
const SETTINGS = " SETTINGS enable_block_number_column = 1, enable_block_offset_column = 1";

/**
 * ClickHouse DDL: MergeTree tables ordered by `id` (or the model's `clickhouse.orderBy`), with
 * `partitionBy` and `ttl` from the model options; Nullable for optional fields; data-skipping
 * indexes for `index`/`unique` (ClickHouse enforces no uniqueness and has no foreign keys).
 * Creates are idempotent (`IF NOT EXISTS`), so two `sync()` runs at once both succeed: ClickHouse
 * has no transactional DDL nor lock to serialise them, and each statement's own check is atomic.
 *
 * On a cluster, a model with `clickhouse.distributed` is two tables: `<table>_local` (replicated,
 * on every shard) and `<table>` (`Distributed` over them); each operation renders the statements
 * of both, in a safe order, joined through {@link DdlBatches}.
 * https://clickhouse.com/docs/engines/table-engines/mergetree-family/mergetree
 */
export class ClickHouseDdl extends DdlCompiler {
  /** Tables whose model this compiler has seen: their distribution (undefined: an ordinary table). */
  private readonly known = new Map<string, DistributedOptions | undefined>();
  private readonly database: string;
  /** Statement groups the driver sends one by one (shared with it by the adapter). */
  readonly batches: DdlBatches;

  /**
   * `cluster`: every CREATE, ALTER and DROP TABLE runs `ON CLUSTER` it (distributed DDL), and
   * distributed models get their pair of tables in `database`.
   */
  constructor(
    private readonly cluster?: string,
    options: { database?: string; batches?: DdlBatches } = {},
  ) {
    super();
    this.database = options.database ?? "default";
    this.batches = options.batches ?? new DdlBatches();
  }

  /** Remembers whether `model`'s table is distributed (only on a cluster; elsewhere it never is). */
  private note(model: ModelMeta): DistributedOptions | undefined {
    const d = distributedOf(model);
    const on = this.cluster === undefined ? undefined : d;
    this.known.set(model.table, on);
    return on;
  }

  /**
   * `render(table)`, or on a distributed table the same for its local table and itself: local first
   * (so the Distributed table never names what the shards lack), itself first for removals, or the
   * local table only for what only a MergeTree has (data-skipping indexes). For a table whose model
   * this compiler has not seen, the plain statement with a probe (see {@link DdlBatches}).
   */
  private onPair(
    table: string,
    render: (t: string) => string,
    order: "local first" | "distributed first" | "local only" = "local first",
  ): string {
    const plain = render(table);
    if (this.cluster === undefined) return plain;
    const local = render(localTable(table));
    const pair = order === "local only" ? [local] : order === "local first" ? [local, plain] : [plain, local];
    if (!this.known.has(table)) return this.batches.probe(plain, table, pair);
    return this.known.get(table) ? this.batches.join(pair) : plain;
  }

  /**
   * CREATE TABLE IF NOT EXISTS; for a distributed model on a cluster, the replicated local table
   * and then the `Distributed` table in front of it.
   *
   * @example
   * ddl.createTable(Event.meta)
   * // "CREATE TABLE IF NOT EXISTS `events_local` ON CLUSTER `dotorm` (...) ENGINE = ReplicatedMergeTree(...) ...;\n" +
   * // "CREATE TABLE IF NOT EXISTS `events` ON CLUSTER `dotorm` (...) ENGINE = Distributed('dotorm', 'crm', 'events_local', id)"
   */
  override createTable(model: ModelMeta): string {
    const d = this.note(model);
    const cols = [
      model.identity ? this.idColumn() : this.keyColumn(model),
      ...model.columns.map((c) => this.columnDef(c)),
    ].join(", ");
    if (!d) return `CREATE TABLE IF NOT EXISTS ${this.tableRef(model.table)} (${cols})${this.tableOptions(model)}`;
    const local = localTable(model.table);
    return this.batches.join([
      `CREATE TABLE IF NOT EXISTS ${this.tableRef(local)} (${cols})${this.tableOptions(model, local)}`,
      `CREATE TABLE IF NOT EXISTS ${this.tableRef(model.table)} (${cols}) ENGINE = ${this.distributedEngine(local, d)}`,
    ]);
  }

  /** `Distributed(cluster, database, local table, sharding key)`. https://clickhouse.com/docs/engines/table-engines/special/distributed */
  distributedEngine(local: string, d: DistributedOptions): string {
    return `Distributed(${this.literal(this.cluster ?? "")}, ${this.literal(this.database)}, ${this.literal(local)}, ${d.shardingKey})`;
  }

  override addColumn(model: ModelMeta, field: FieldMeta): string {
    this.note(model);
    return this.addColumnStrict(model.table, field);
  }

  /** ADD COLUMN IF NOT EXISTS: a run that stopped midway (or a concurrent sync) can be repeated. */
  override addColumnStrict(table: string, field: FieldMeta): string {
    return this.onPair(
      table,
      (t) => `ALTER TABLE ${this.tableRef(t)} ADD COLUMN IF NOT EXISTS ${this.columnDef(field)}`,
    );
  }

  override dropColumn(table: string, column: string): string {
    return this.onPair(
      table,
      (t) => `ALTER TABLE ${this.tableRef(t)} DROP COLUMN ${this.quote(column)}`,
      "distributed first",
    );
  }

  override renameColumn(table: string, from: string, to: string): string {
    return this.onPair(
      table,
      (t) => `ALTER TABLE ${this.tableRef(t)} RENAME COLUMN ${this.quote(from)} TO ${this.quote(to)}`,
    );
  }

  /**
   * On a cluster, `SYNC`: the replicated table's Keeper metadata is removed before the statement
   * returns, so a table of the same name can be created again at once.
   */
  override dropTable(table: string): string {
    return this.onPair(
      table,
      (t) => `DROP TABLE ${this.tableRef(t)}${this.cluster === undefined ? "" : " SYNC"}`,
      "distributed first",
    );
  }

  override tableRef(table: string): string {
    return this.cluster === undefined
      ? this.quote(table)
      : `${this.quote(table)} ON CLUSTER ${this.quote(this.cluster)}`;
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
    this.note(model);
    const ch = model.options.clickhouse;
    for (const key of typeof ch?.orderBy === "string" || !ch?.orderBy ? [] : ch.orderBy) {
      const field = model.fields.get(key);
      if (!field?.stored)
        throw new ConfigurationError(`${model.table}: clickhouse.orderBy names "${key}", which is not a stored field`);
      if (!field.required && field.name !== "id") {
        throw new ConfigurationError(
          `${model.table}: clickhouse.orderBy field "${key}" must be required (ClickHouse sorting keys cannot be Nullable)`,
        );
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

  /** Engine, keys and settings; `table` names the Keeper path (the local table of a distributed model). */
  override tableOptions(model: ModelMeta, table = model.table): string {
    const ch = model.options.clickhouse ?? {};
    const orderBy = !ch.orderBy
      ? this.quote("id")
      : typeof ch.orderBy === "string"
        ? ch.orderBy
        : ch.orderBy.map((k) => this.quote(model.fields.get(k)?.column ?? k)).join(", ");
    let sql = ` ENGINE = ${this.engine(table, ch.engine ?? "MergeTree")}`;
    if (ch.partitionBy) sql += ` PARTITION BY ${ch.partitionBy}`;
    sql += ` ORDER BY (${orderBy})`;
    if (ch.ttl) sql += ` TTL ${ch.ttl}`;
    return sql + SETTINGS;
  }

  /** The `clickhouse` options with a list `orderBy` as column names. */
  override migrationOptions(model: ModelMeta): TableOptions {
    return migrationOptionsOf(model);
  }

  override migrationOptionsOf(info: TableInfo, forModel = false): TableOptions {
    return optionsOfTable(info, forModel);
  }

  /** The sorting key (`id` by default) and engine (`MergeTree` by default). */
  override tableLayout(model: ModelMeta): TableLayout {
    return layoutOf(model);
  }

  /** A new ORDER BY or engine needs a new table: refused. */
  override checkLayout(table: string, want: TableLayout, have: TableInfo): void {
    checkLayout(table, want, have);
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
    const m =
      /^(Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing|Graphite)?MergeTree\s*(?:\((.*)\))?$/s.exec(
        engine.trim(),
      );
    if (this.cluster === undefined || !m) return engine;
    const path = `'/clickhouse/tables/{shard}/{database}/${table.replace(/'/g, "")}'`;
    const args = m[2]?.trim() ? `, ${m[2].trim()}` : "";
    return `Replicated${m[1] ?? ""}MergeTree(${path}, '{replica}'${args})`;
  }

  /** A data-skipping index (on the local table of a distributed model: a Distributed table holds no data). */
  override createIndex(name: string, table: string, columns: readonly string[]): string {
    const cols = columns.map((c) => this.quote(c)).join(", ");
    return this.onPair(
      table,
      (t) =>
        `ALTER TABLE ${this.tableRef(t)} ADD INDEX IF NOT EXISTS ${this.quote(name)} (${cols}) TYPE bloom_filter GRANULARITY 4`,
      "local only",
    );
  }

  override addForeignKey(): string {
    throw new UnsupportedError(
      "foreign keys",
      "clickhouse",
      "references are not enforced; see the @dotorm/clickhouse README",
    );
  }

  override createLinkTable(link: LinkTable): string {
    this.known.set(link.table, undefined);
    const [a, b] = [this.quote(link.column1), this.quote(link.column2)];
    return `CREATE TABLE IF NOT EXISTS ${this.tableRef(link.table)} (${a} ${this.refType(link.owner)}, ${b} ${this.refType(link.target)}) ENGINE = ${this.engine(link.table, "MergeTree")} ORDER BY (${a}, ${b})${SETTINGS}`;
  }

  /** MODIFY COLUMN restates type and default; a default that goes away needs REMOVE DEFAULT. https://clickhouse.com/docs/sql-reference/statements/alter/column#modify-column */
  override alterColumn(table: string, from: FieldMeta, to: FieldMeta): string[] {
    return this.modifyColumn(table, from, to).map((_, i) =>
      this.onPair(table, (t) => this.modifyColumn(t, from, to)[i] as string),
    );
  }

  private modifyColumn(table: string, from: FieldMeta, to: FieldMeta): string[] {
    const t = `ALTER TABLE ${this.tableRef(table)} MODIFY COLUMN`;
    const type = this.columnType(to);
    // Nullable -> not nullable needs a DEFAULT for the NULLs: the type's zero value, removed after.
    const fill = !from.required && to.required && !this.defaultClause(to);
    const def = fill
      ? `${this.quote(to.column)} ${type} DEFAULT defaultValueOfTypeName('${type}')`
      : this.columnDef(to);
    const out = [`${t} ${def}`];
    if ((this.defaultClause(from) || fill) && !this.defaultClause(to))
      out.push(`${t} ${this.quote(to.column)} REMOVE DEFAULT`);
    return out;
  }

  override dropIndex(name: string, table: string): string {
    return this.onPair(table, (t) => `ALTER TABLE ${this.tableRef(t)} DROP INDEX ${this.quote(name)}`, "local only");
  }

  override dropForeignKey(): string {
    throw new UnsupportedError(
      "foreign keys",
      "clickhouse",
      "references are not enforced; see the @dotorm/clickhouse README",
    );
  }
}
