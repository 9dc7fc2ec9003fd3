import {
  type CompileContext,
  type DatePart,
  type FieldMeta,
  type InsertNode,
  JsonAggregate,
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

  /** Several rows go as one array per column through `unnest`: one statement shape for any row count. */
  protected override insertSource(node: InsertNode, ctx: CompileContext): string {
    if (node.rows.length < 2) return super.insertSource(node, ctx);
    const arrays = node.columns.map((c, i) => {
      const kind = c.field?.kind ?? "integer";
      const values = node.rows.map((row) => this.encode(row[i], c.field));
      ctx.params.push(arrayLiteral(values, kind) ?? values);
      return `$${ctx.params.length}::${arrayTypeOf(c.field)}[]`;
    });
    return `SELECT * FROM unnest(${arrays.join(", ")})`;
  }
}
