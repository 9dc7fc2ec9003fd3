import {
  CompileContext,
  type CompileOptions,
  type CompiledQuery,
  type DatePart,
  type FieldMeta,
  type InsertNode,
  InsertShapes,
  JsonAggregate,
  type QueryNode,
  QueryError,
  SqlCompiler,
} from "@dotorm/core";
import { arrayLiteral } from "./array-literal.js";

/** PostgreSQL array element types used by `unnest` bulk inserts and `= ANY($n)`. */
export const pgArrayType: Record<string, string> = {
  integer: "int4",
  smallInteger: "int2",
  bigInteger: "int8",
  many2one: "int4",
  char: "text",
  text: "text",
  selection: "text",
  boolean: "bool",
  datetime: "timestamptz",
  date: "date",
  time: "time",
  float: "float8",
  decimal: "numeric",
  json: "jsonb",
  binary: "bytea",
  uuid: "uuid",
};

/** The array element type of a field's values; a reference to a declared key (uuid, char) takes the key's. */
export function arrayTypeOf(field: FieldMeta | undefined): string {
  if (!field) return "int4";
  if ((field.kind === "many2one" || field.kind === "one2one") && !field.target().identity)
    return arrayTypeOf(field.target().id);
  return pgArrayType[field.kind] ?? "text";
}

const arrayTypes = new WeakMap<FieldMeta, string>();

/** {@link arrayTypeOf}, remembered per field (a relation's resolves its target). */
function arrayTypeOfField(field: FieldMeta | undefined): string {
  if (!field) return "int4";
  let type = arrayTypes.get(field);
  if (type === undefined) arrayTypes.set(field, (type = arrayTypeOf(field)));
  return type;
}

/** `n` as SQL text, when it is a row count (a non-negative safe integer); a QueryError otherwise. */
function literalCount(name: string, n: unknown): string {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0)
    throw new QueryError(`${name} must be a non-negative integer, got ${JSON.stringify(n)}`);
  return String(n);
}

/**
 * PostgreSQL rendering: `$n` placeholders, native `ILIKE`, `= ANY($n)` for lists (one statement
 * shape whatever the list length, so prepared statements are reused), `unnest` bulk inserts with
 * one parameter per column (no 65,535-parameter ceiling), decimals as text inside JSON.
 * https://www.postgresql.org/docs/current/functions-json.html
 */
export class PostgresCompiler extends SqlCompiler {
  /**
   * Nested reads as JSON aggregates, nested many2ones as LEFT JOINs: PostgreSQL plans (and memoizes)
   * them better than a subquery per row, and its `$n` placeholders may be numbered in any order.
   */
  constructor() {
    super((host) => new JsonAggregate(host, { joins: true }));
  }

  override param(ctx: CompileContext, value: unknown, field?: FieldMeta): string {
    ctx.params.push(this.encode(value, field));
    return `$${ctx.params.length}`;
  }

  /**
   * LIMIT and OFFSET written into the SQL as integers, not bound: PostgreSQL costs a prepared
   * statement's generic plan as if a bound LIMIT or OFFSET read a tenth of the table, so a paged
   * statement never earns its generic plan and is planned again on every run (checked in
   * `pg_prepared_statements`: 0 generic plans of 8 runs with `LIMIT $3`, 3 of 8 with `LIMIT 20`).
   * Planning a leads page of the example CRM cost more backend CPU than running it. A page size is
   * one of a few values, so the statement shapes stay few; each offset is a shape of its own, as in
   * Django's SQL. Only non-negative safe integers are written (planning refuses anything else first).
   *
   * @example
   * // Chat.search({ order: "id", limit: 20, offset: 40 })
   * // SELECT ... ORDER BY t0."id" ASC NULLS LAST LIMIT 20 OFFSET 40
   */
  override limitOffset(_ctx: CompileContext, limit?: number, offset?: number): string {
    let sql = "";
    if (limit !== undefined) sql += ` LIMIT ${literalCount("limit", limit)}`;
    if (offset) sql += ` OFFSET ${literalCount("offset", offset)}`;
    return sql;
  }

  override like(column: string, pattern: string, ci: boolean, negate: boolean): string {
    return `${column} ${negate ? "NOT " : ""}${ci ? "ILIKE" : "LIKE"} ${pattern}`;
  }

  override in(
    ctx: CompileContext,
    column: string,
    field: FieldMeta,
    values: readonly unknown[],
    negate: boolean,
  ): string {
    ctx.params.push(values.map((v) => this.encode(v, field)));
    const p = `$${ctx.params.length}::${arrayTypeOf(field)}[]`;
    return negate ? `${column} <> ALL(${p})` : `${column} = ANY(${p})`;
  }

  /**
   * Date parts in UTC: EXTRACT of a timestamptz follows the session's time zone, so it is shifted to
   * UTC first; and EXTRACT returns numeric, cast to integer so `= ANY(int4[])` compares.
   */
  override datePart(part: DatePart, expr: string, source: FieldMeta): string {
    const utc = source.kind === "datetime" ? `(${expr} AT TIME ZONE 'UTC')` : expr;
    return part === "date" ? `CAST(${utc} AS DATE)` : `CAST(EXTRACT(${part.toUpperCase()} FROM ${utc}) AS INTEGER)`;
  }

  /** pg and PGlite already parse json/jsonb; parsing again would break JSON strings ("abc" is not JSON text). */
  override decode(field: FieldMeta, raw: unknown, inJson: boolean): unknown {
    return field.kind === "json" ? (raw ?? null) : super.decode(field, raw, inJson);
  }

  override jsonValue(expr: string, field: FieldMeta): string {
    return field.kind === "decimal" || field.kind === "bigInteger" ? `${expr}::text` : expr;
  }

  override insertBatchSize(): number {
    return Number.POSITIVE_INFINITY;
  }

  /** The SQL text of plain INSERTs compiled before, per shape. */
  readonly insertShapes = new InsertShapes();

  /**
   * A plain INSERT (no conflict clause) takes its SQL text from {@link insertShapes} when its shape
   * was compiled before, and only binds its values; anything else compiles as usual.
   */
  override compile(node: QueryNode, options?: CompileOptions): CompiledQuery {
    if (node.kind !== "insert" || node.onConflict || node.ignoreConflicts || node.columns.length === 0)
      return super.compile(node, options);
    const row = node.rows[0];
    if (row === undefined) return super.compile(node, options);
    const returning = node.returningId && this.returning;
    const types = node.rows.length >= 2 ? node.columns.map((c) => arrayTypeOfField(c.field)) : undefined;
    const sql = this.insertShapes.get(node.table, returning, node.columns, types);
    if (sql === undefined) {
      const compiled = super.compile(node, options);
      this.insertShapes.set(compiled.sql, node.table, returning, node.columns, types);
      return compiled;
    }
    const ctx = new CompileContext(options);
    // the values bound as `param` and `insertSource` bind them
    if (types) this.bindArrays(node, ctx);
    else for (let i = 0; i < node.columns.length; i++) this.param(ctx, row[i], node.columns[i]?.field);
    const params = this.finishParams(ctx);
    return node.returningId
      ? { sql, params, kind: "insert", generatedIds: node.rows.length }
      : { sql, params, kind: "insert" };
  }

  /** Several rows go as one array per column through `unnest`: one statement shape for any row count. */
  protected override insertSource(node: InsertNode, ctx: CompileContext): string {
    if (node.rows.length < 2) return super.insertSource(node, ctx);
    const first = ctx.params.length;
    this.bindArrays(node, ctx);
    return `SELECT * FROM unnest(${node.columns.map((c, i) => `$${first + i + 1}::${arrayTypeOf(c.field)}[]`).join(", ")})`;
  }

  /** Binds each column's values as one array (an array literal where it can). */
  private bindArrays(node: InsertNode, ctx: CompileContext): void {
    for (let i = 0; i < node.columns.length; i++) {
      const field = node.columns[i]?.field;
      const values = node.rows.map((row) => this.encode(row[i], field));
      ctx.params.push(arrayLiteral(values, field?.kind ?? "integer") ?? values);
    }
  }
}
