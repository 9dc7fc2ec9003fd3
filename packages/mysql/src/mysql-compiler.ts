import {
  CompileContext,
  type CompileOptions,
  type CompiledQuery,
  type CondNode,
  ConfigurationError,
  QueryError,
  UnsupportedError,
  type DeleteNode,
  type FieldMeta,
  type InsertNode,
  InsertShapes,
  JsonAggregate,
  type LockNode,
  type ModelMeta,
  type NestedArrayParts,
  type OrderNode,
  type QueryNode,
  SqlCompiler,
  UnionRows,
  decodeValue,
} from "@dotorm/core";
import { quoteBackticks } from "./quote-ident.js";

/** Which server the SQL is written for; they differ in JSON aggregation and RETURNING. */
export type MysqlFlavor = "mariadb" | "mysql";

/** Options of {@link MysqlCompiler}. */
export interface MysqlCompilerOptions {
  /** `"mariadb"` (10.6+, the default) or `"mysql"` (8.0.14+). */
  flavor?: MysqlFlavor;
  /**
   * Read generated ids with `INSERT ... RETURNING id` (MariaDB 10.5+; the default there) rather than
   * from the insert id (MySQL 8, which has no RETURNING). `false` runs MySQL's path on MariaDB.
   */
  returning?: boolean;
  /** Read a nested many2one of a top-level select through a LEFT JOIN into plain columns (default true). */
  joins?: boolean;
  /**
   * How nested one2many / many2many are read in the one statement: `"union"` (tagged rows of one
   * `UNION ALL`, the default on MariaDB, whose JSON aggregates of wide values go through on-disk
   * temporary tables) or `"json"` (`JSON_ARRAYAGG` per parent row, the default on MySQL 8).
   */
  nesting?: "union" | "json";
}

/** Field kinds whose validated values `encode` changes (Dates, JSON, binary); the rest are sent as they are. */
const encodedKinds = new Set<string>(["datetime", "date", "time", "json", "binary"]);

/** MySQL's LIMIT has no "all" keyword; the manual's own workaround is the largest unsigned BIGINT. */
const noLimit = "18446744073709551615";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** A Date as a DATETIME literal in UTC (the session time zone is UTC, see the driver). */
export function utcDateTime(d: Date): string {
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

/**
 * MySQL / MariaDB rendering: backticks, `?` placeholders, `LIKE` with an explicit binary collation
 * (case-sensitive whatever the column's collation) and `LOWER()` on both sides for `ilike`, NULL
 * ordering emulated with `IS NULL` terms, `JSON_OBJECT` / `JSON_ARRAYAGG` nesting in one statement,
 * `DELETE alias FROM`, and the insert id instead of `RETURNING`.
 * https://mariadb.com/kb/en/json_arrayagg/ · https://dev.mysql.com/doc/refman/8.0/en/aggregate-functions.html
 *
 * @example
 * new MysqlCompiler({ flavor: "mysql" }).compile(node) // { sql: "SELECT ... FROM `chats` `t0` ...", params: [...] }
 */
export class MysqlCompiler extends SqlCompiler {
  protected override readonly returning: boolean;
  readonly flavor: MysqlFlavor;

  /** Whether inserts return their ids as rows (the adapter's `returning` capability). */
  get returnsIds(): boolean {
    return this.returning;
  }

  /**
   * `insertIdExact`: whether the insert id alone gives the ids of a several-row INSERT (the server
   * numbers its rows consecutively; see `AutoIncrement`), as the driver read it off the server
   * (`mysql()` passes it); until it knows, and without it, `RETURNING` is used. The ids themselves
   * are worked out by the driver only (`ExecResult.ids`).
   */
  constructor(
    options: MysqlCompilerOptions = {},
    private readonly insertIdExact?: () => boolean,
  ) {
    const flavor = options.flavor ?? "mariadb";
    // MySQL keeps column aliases up to 256 characters
    const nesting = { joins: options.joins !== false, maxAliasBytes: 256 };
    const union = (options.nesting ?? (flavor === "mariadb" ? "union" : "json")) === "union";
    super((host) => (union ? new UnionRows(host, nesting) : new JsonAggregate(host, nesting)));
    this.flavor = flavor;
    if (options.returning && this.flavor === "mysql") {
      throw new ConfigurationError(
        "mysql({ returning: true }) needs MariaDB 10.5+; MySQL 8 has no INSERT ... RETURNING, leave it unset",
      );
    }
    this.returning = options.returning ?? this.flavor === "mariadb";
  }

  override quote(name: string): string {
    return quoteBackticks(name);
  }

  /** The last Date encoded, and its text: a createMany's default `now` is one Date in every row. */
  private lastDate?: { date: Date; time: number; text: string };

  /** Dates go as UTC DATETIME text so the result never depends on the driver's or server's time zone. */
  override encode(value: unknown, field?: FieldMeta): unknown {
    if (value instanceof Date) {
      const last = this.lastDate;
      if (last?.date === value && last.time === value.getTime()) return last.text;
      const text = utcDateTime(value);
      this.lastDate = { date: value, time: value.getTime(), text };
      return text;
    }
    if (value instanceof Uint8Array && !Buffer.isBuffer(value))
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return super.encode(value, field);
  }

  override decode(field: FieldMeta, raw: unknown, _inJson: boolean): unknown {
    // TIME(6) comes back as "10:30:00.000000" inside JSON and "10:30:00" outside; keep PostgreSQL's shape.
    if (field.kind === "time" && typeof raw === "string") return raw.replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
    return decodeValue(field, raw);
  }

  /**
   * `decode` outside JSON, with the values mysql2 already hands over in their final form returned
   * at once (a safe integer, a Date, 0/1 for a boolean, text); anything else goes through `decode`.
   */
  override columnDecoder(field: FieldMeta): (raw: unknown) => unknown {
    const slow = (raw: unknown) => this.decode(field, raw, false);
    switch (field.kind) {
      case "char":
      case "text":
      case "selection":
        return (raw) => (raw === undefined ? null : raw);
      case "many2one":
      case "one2one":
        if (!field.target().identity) return slow;
        return (raw) => (typeof raw === "number" && Number.isSafeInteger(raw) ? raw : slow(raw));
      case "integer":
      case "smallInteger":
      case "bigInteger":
        return (raw) => (typeof raw === "number" && Number.isSafeInteger(raw) ? raw : slow(raw));
      case "boolean":
        return (raw) => (raw === 1 ? true : raw === 0 ? false : slow(raw));
      case "datetime":
        return (raw) => (raw instanceof Date ? raw : slow(raw));
      default:
        return slow;
    }
  }

  /** Prepared statements take at most 65,535 placeholders. */
  override insertBatchSize(columns: number): number {
    return Math.max(1, Math.floor(65_535 / Math.max(1, columns)));
  }

  /** Case-sensitivity must not depend on the column's collation (MySQL's default ones ignore case). */
  override like(column: string, pattern: string, ci: boolean, negate: boolean): string {
    const not = negate ? "NOT " : "";
    return ci ? `LOWER(${column}) ${not}LIKE LOWER(${pattern})` : `${column} ${not}LIKE ${pattern} COLLATE utf8mb4_bin`;
  }

  override jsonObject(pairs: readonly (readonly [string, string])[]): string {
    return `JSON_OBJECT(${pairs.map(([k, v]) => `'${k.replace(/'/g, "''")}', ${v}`).join(", ")})`;
  }

  /**
   * Inside JSON: decimals and bigints as text (no digit lost), JSON columns as text (MariaDB embeds
   * them raw, MySQL as JSON; text is the same on both and decoded once), binary as base64.
   */
  override jsonValue(expr: string, field: FieldMeta): string {
    if (field.kind === "decimal" || field.kind === "bigInteger" || field.kind === "json")
      return `CAST(${expr} AS CHAR)`;
    if (field.kind === "binary") return `TO_BASE64(${expr})`;
    return expr;
  }

  /**
   * MariaDB orders and limits inside `JSON_ARRAYAGG` (its LIMIT takes literals only; the values are
   * integers checked by the planner). MySQL 8 has neither, so it aggregates an ordered derived table
   * that references the outer row (allowed from 8.0.14, rejected by MariaDB).
   */
  override nestedArray(parts: NestedArrayParts, ctx: CompileContext): string {
    const limit = literal(parts.limit, "limit");
    const offset = literal(parts.offset, "offset");
    const page = limit === undefined && !offset ? "" : ` LIMIT ${limit ?? noLimit}${offset ? ` OFFSET ${offset}` : ""}`;
    if (this.flavor === "mariadb") {
      return `(SELECT COALESCE(JSON_ARRAYAGG(${parts.object} ORDER BY ${parts.orderBy}${page}), JSON_ARRAY()) FROM ${parts.from} WHERE ${parts.where})`;
    }
    const x = ctx.nextAlias();
    return (
      `(SELECT COALESCE(JSON_ARRAYAGG(${x}.j), JSON_ARRAY()) FROM ` +
      `(SELECT ${parts.object} AS j FROM ${parts.from} WHERE ${parts.where} ORDER BY ${parts.orderBy}${page}) ${x})`
    );
  }

  override unboundedLimit(): string {
    return ` LIMIT ${noLimit}`;
  }

  /** The SQL text of plain INSERTs compiled before, per shape (the row count is part of it: one tuple per row). */
  readonly insertShapes = new InsertShapes();

  /**
   * A plain INSERT (no conflict clause) takes its SQL text from {@link insertShapes} when its shape
   * was compiled before, and only binds its values (as {@link insertSource} does); anything else
   * compiles as usual. Whether the text returns ids is part of the shape: on MariaDB it stops doing
   * so once the driver knows the insert id is exact.
   */
  override compile(node: QueryNode, options?: CompileOptions): CompiledQuery {
    if (node.kind !== "insert" || node.onConflict || node.ignoreConflicts || node.columns.length === 0)
      return super.compile(node, options);
    const rows = node.rows.length;
    const returning = node.returningId && this.returning && !this.insertIdExact?.();
    const sql = this.insertShapes.get(node.table, returning, node.columns, undefined, rows);
    if (sql === undefined) {
      const compiled = super.compile(node, options);
      this.insertShapes.set(compiled.sql, node.table, returning, node.columns, undefined, rows);
      return compiled;
    }
    const ctx = new CompileContext(options);
    this.bindRows(node, ctx);
    const params = this.finishParams(ctx);
    return node.returningId ? { sql, params, kind: "insert", generatedIds: rows } : { sql, params, kind: "insert" };
  }

  /** The same `(?, ?, ...)` tuple for every row: built once, not per value (createMany sends thousands). */
  protected override insertSource(node: InsertNode, ctx: CompileContext): string {
    const tuple = `(${node.columns.map(() => "?").join(", ")})`;
    this.bindRows(node, ctx);
    return `VALUES ${new Array<string>(node.rows.length).fill(tuple).join(", ")}`;
  }

  /** Binds an INSERT's values row by row; validated values of most kinds go as they are, the others through `encode`. */
  private bindRows(node: InsertNode, ctx: CompileContext): void {
    const fields = node.columns.map((c) => c.field);
    const encoded = fields.map((f) => f === undefined || encodedKinds.has(f.kind));
    for (const row of node.rows)
      for (let i = 0; i < fields.length; i++) ctx.params.push(encoded[i] ? this.encode(row[i], fields[i]) : row[i]);
  }

  /** OFFSET needs a LIMIT in MySQL. */
  override limitOffset(ctx: CompileContext, limit?: number, offset?: number): string {
    if (limit === undefined && !offset) return "";
    const l = limit === undefined ? noLimit : this.param(ctx, limit);
    return ` LIMIT ${l}${offset ? ` OFFSET ${this.param(ctx, offset)}` : ""}`;
  }

  /** MySQL sorts NULLs first ascending and last descending, and has no NULLS FIRST/LAST: an `IS NULL` key flips that. */
  override orderTerm(expr: string, desc: boolean): string {
    return desc ? `${expr} IS NULL DESC, ${expr} DESC` : `${expr} IS NULL, ${expr} ASC`;
  }

  /** Columns that cannot be NULL skip the `IS NULL` key, so an index on them still serves the sort. */
  override orderBy(order: readonly OrderNode[], model: ModelMeta, ctx: CompileContext): string {
    const term = (field: FieldMeta, desc: boolean) => {
      const col = this.column(ctx, field);
      if (field.name === "id" || field.required) return `${col} ${desc ? "DESC" : "ASC"}`;
      // the NULL key and the value each render the column: a computed one binds its values twice, in text order
      return `${col} IS NULL${desc ? " DESC" : ""}, ${this.column(ctx, field)} ${desc ? "DESC" : "ASC"}`;
    };
    const terms = order.map((o) => term(o.field, o.desc));
    if (!order.some((o) => o.field.name === "id")) terms.push(term(model.id, false));
    return terms.join(", ");
  }

  /**
   * `INSERT INTO t () VALUES ()` is MySQL's DEFAULT VALUES, and takes several rows. On MariaDB a plain
   * insert leaves `RETURNING` out when the insert id is exact: the server then sends no row per record.
   */
  protected override insert(node: InsertNode, ctx: CompileContext): string {
    if (node.returningId && this.returning && !node.onConflict && this.insertIdExact?.())
      node = { ...node, returningId: false };
    if (node.columns.length > 0) return super.insert(node, ctx);
    const rows = node.rows.map(() => "()").join(", ");
    return `INSERT INTO ${this.quote(node.table)} () VALUES ${rows}${node.returningId && this.returning ? ` RETURNING ${this.quote("id")}` : ""}`;
  }

  /**
   * Link rows that already exist are kept with `ON DUPLICATE KEY UPDATE k = k` rather than
   * `INSERT IGNORE`, which would also turn foreign key and data errors into silent warnings.
   * Upserts take the new values with `VALUES(col)` (MariaDB has no MySQL 8.0.19 row alias).
   */
  protected override conflict(node: InsertNode): string {
    if (node.ignoreConflicts) {
      const key = this.quote(node.columns[0]?.name ?? "id");
      return ` ON DUPLICATE KEY UPDATE ${key} = ${key}`;
    }
    if (!node.onConflict) return "";
    if (!this.returning && node.rows.length > 1) {
      // Without RETURNING only the insert id comes back: one id, not one per row.
      throw new UnsupportedError(
        "createMany with onConflict for several records",
        this.flavor,
        "MySQL returns no ids for them; upsert one record per call",
      );
    }
    const id = this.quote("id");
    const sets = node.onConflict.update.map((f) => `${this.quote(f.column)} = VALUES(${this.quote(f.column)})`);
    // a declared key (uuid, char) is known to the caller: no insert id to carry, and LAST_INSERT_ID would turn it into a number
    if (node.onConflict.columns[0]?.model.identity === false)
      return ` ON DUPLICATE KEY UPDATE ${(sets.length > 0 ? sets : [`${id} = ${id}`]).join(", ")}`;
    // LAST_INSERT_ID(id) makes the insert id the existing row's id when the row was updated; with
    // RETURNING the assignment is harmless (the value is unchanged).
    return ` ON DUPLICATE KEY UPDATE ${[`${id} = LAST_INSERT_ID(${id})`, ...sets].join(", ")}`;
  }

  /**
   * A single-table DELETE cannot take an alias in MariaDB; the multi-table form can. That form may
   * not read its own table in a subquery (error 1093, e.g. a filter through a parent_id), so then the
   * ids are picked from a derived table, which MySQL materialises first.
   */
  protected override delete(node: DeleteNode, ctx: CompileContext): string {
    const table = this.table(node.model);
    const where = node.where ? ` WHERE ${this.cond(node.where, ctx)}` : "";
    if (!node.where || !readsTable(node.where, node.model.table))
      return `DELETE ${ctx.alias} FROM ${table} AS ${ctx.alias}${where}`;
    const id = this.quote("id");
    return `DELETE FROM ${table} WHERE ${id} IN (SELECT ${id} FROM (SELECT ${ctx.alias}.${id} FROM ${table} ${ctx.alias}${where}) AS ${ctx.nextAlias()})`;
  }

  /** MariaDB has no `FOR UPDATE OF`: the lock covers the statement's tables (joined many2ones too). */
  override lockClause(lock: LockNode): string {
    return ` FOR UPDATE${lock.skipLocked ? " SKIP LOCKED" : lock.noWait ? " NOWAIT" : ""}`;
  }

  override begin(): string {
    return "START TRANSACTION";
  }
}

/** Whether a condition reads `table` in one of its subqueries (dotted paths become EXISTS). */
function readsTable(node: CondNode, table: string): boolean {
  switch (node.kind) {
    case "and":
    case "or":
      return node.items.some((item) => readsTable(item, table));
    case "not":
      return readsTable(node.item, table);
    case "exists":
      return node.via.target().table === table || node.via.link?.().table === table || readsTable(node.cond, table);
    default:
      return false;
  }
}

function literal(n: number | undefined, what: string): number | undefined {
  if (n === undefined) return undefined;
  if (!Number.isSafeInteger(n) || n < 0)
    throw new QueryError(`nested ${what} must be a non-negative integer, got ${String(n)}`);
  return n;
}
