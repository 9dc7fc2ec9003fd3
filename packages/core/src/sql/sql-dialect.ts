import { decodeValue } from "../hydrate/decode-value.js";
import type { FieldMeta } from "../model/model-meta.js";
import type { DatePart, LockNode } from "../query/ast.js";
import type { CompileContext, NestedArrayParts } from "./compile-context.js";
import { quoteAnsi } from "./quote-ident.js";

/**
 * The fragments a dialect differs in, in standard SQL: quoting, placeholders, value encoding and
 * decoding, `LIKE`, `IN`, JSON construction, LIMIT / OFFSET, ORDER BY terms, date parts, row locks,
 * EXPLAIN and the transaction statements. `SqlCompiler` builds statements from them; an adapter's
 * compiler overrides the ones its database writes differently.
 */
export abstract class SqlDialect {
  /** Quotes an identifier (ANSI double quotes). */
  quote(name: string): string {
    return quoteAnsi(name);
  }

  /**
   * Adds a bound value and returns its placeholder (`?` here). The placeholder may depend on the
   * field and on the value's JS type (null, a string, a date, ...), never on the value itself:
   * repeated reads, updates and deletes are sent from a statement compiled once per shape, with each
   * call's values passed through {@link encode}. (A template is kept only when compiling it gives
   * the call's own statement back, so a dialect that writes a value into the text is compiled every
   * time rather than sent wrong.)
   */
  param(ctx: CompileContext, value: unknown, field?: FieldMeta): string {
    ctx.params.push(this.encode(value, field));
    return "?";
  }

  /** Params as handed to the driver (a list here; ClickHouse makes a record). */
  finishParams(ctx: CompileContext): readonly unknown[] | Readonly<Record<string, unknown>> {
    return ctx.params;
  }

  /** Converts a validated value to what the driver sends. */
  encode(value: unknown, field?: FieldMeta): unknown {
    if (value !== null && field?.kind === "json") return JSON.stringify(value);
    return value;
  }

  /** Converts a raw value from the driver (or from a JSON aggregate when `inJson`) to the field's JS value. */
  decode(field: FieldMeta, raw: unknown, _inJson: boolean): unknown {
    return decodeValue(field, raw);
  }

  /**
   * One field's decoder for values outside JSON, as `decode(field, raw, false)` decodes them; made
   * once per field and compiler, and called per value by compiled row readers. An adapter whose
   * driver already hands some kinds over in their final form may return a shorter path for them.
   */
  columnDecoder(field: FieldMeta): (raw: unknown) => unknown {
    return (raw) => this.decode(field, raw, false);
  }

  /** How many rows one INSERT statement may carry with `columns` columns (placeholder limits). */
  insertBatchSize(columns: number): number {
    return Math.max(1, Math.floor(30000 / Math.max(1, columns)));
  }

  /** `LIKE`, case-insensitive without relying on collation when `ci`. */
  like(column: string, pattern: string, ci: boolean, negate: boolean): string {
    const not = negate ? "NOT " : "";
    return ci ? `LOWER(${column}) ${not}LIKE LOWER(${pattern})` : `${column} ${not}LIKE ${pattern}`;
  }

  /** `col IN (...)`. */
  in(ctx: CompileContext, column: string, field: FieldMeta, values: readonly unknown[], negate: boolean): string {
    return `${column} ${negate ? "NOT IN" : "IN"} (${values.map((v) => this.param(ctx, v, field)).join(", ")})`;
  }

  /** A JSON object from `[key, expression]` pairs. */
  jsonObject(pairs: readonly (readonly [string, string])[]): string {
    return `json_build_object(${pairs.map(([k, v]) => `'${k}', ${v}`).join(", ")})`;
  }

  /** An expression for a column inside a JSON object; decimals become text so no digit is lost. */
  jsonValue(expr: string, field: FieldMeta): string {
    return field.kind === "decimal" ? `CAST(${expr} AS CHAR)` : expr;
  }

  /** A JSON array of objects for a nested one2many / many2many, `[]` when empty. */
  nestedArray(parts: NestedArrayParts, ctx: CompileContext): string {
    if (parts.limit === undefined && parts.offset === undefined) {
      return `(SELECT COALESCE(json_agg(${parts.object} ORDER BY ${parts.orderBy}), '[]') FROM ${parts.from} WHERE ${parts.where})`;
    }
    const x = ctx.nextAlias();
    return (
      `(SELECT COALESCE(json_agg(${x}.j ORDER BY ${x}.n), '[]') FROM (SELECT ${parts.object} AS j, ` +
      `row_number() OVER (ORDER BY ${parts.orderBy}) AS n FROM ${parts.from} WHERE ${parts.where} ORDER BY ${parts.orderBy}` +
      `${this.limitOffset(ctx, parts.limit, parts.offset)}) ${x})`
    );
  }

  /** LIMIT / OFFSET as bound values. */
  limitOffset(ctx: CompileContext, limit?: number, offset?: number): string {
    let sql = "";
    if (limit !== undefined) sql += ` LIMIT ${this.param(ctx, limit)}`;
    if (offset) sql += ` OFFSET ${this.param(ctx, offset)}`;
    return sql;
  }

  /** One ORDER BY term. NULLs sort last ascending and first descending on every dialect. */
  orderTerm(expr: string, desc: boolean): string {
    return `${expr} ${desc ? "DESC NULLS FIRST" : "ASC NULLS LAST"}`;
  }

  /** `NOT` that treats an unknown (NULL) inner result as false, so `not` is a true complement. */
  not(inner: string): string {
    return `NOT COALESCE(${inner}, FALSE)`;
  }

  /** A boolean literal. */
  bool(value: boolean): string {
    return value ? "TRUE" : "FALSE";
  }

  /**
   * A part of a date or datetime column, in UTC: standard `EXTRACT` and `CAST(... AS DATE)` here;
   * a dialect overrides it where its types or time zones differ.
   */
  datePart(part: DatePart, expr: string, _source: FieldMeta): string {
    return part === "date" ? `CAST(${expr} AS DATE)` : `EXTRACT(${part.toUpperCase()} FROM ${expr})`;
  }

  /**
   * The row lock of a select: `FOR UPDATE OF` the selected table only (a joined many2one is on the
   * nullable side of an outer join, which PostgreSQL refuses to lock), then `SKIP LOCKED` / `NOWAIT`.
   */
  lockClause(lock: LockNode, alias: string): string {
    return ` FOR UPDATE OF ${alias}${lock.skipLocked ? " SKIP LOCKED" : lock.noWait ? " NOWAIT" : ""}`;
  }

  /** A LIMIT that admits every row: makes the database honour the ORDER BY of a UNION member. */
  unboundedLimit(): string {
    return " LIMIT ALL";
  }

  /** Wraps a statement to show its plan. */
  explain(sql: string): string {
    return `EXPLAIN ${sql}`;
  }

  // ---- transactions ------------------------------------------------------------------------

  begin(): string {
    return "BEGIN";
  }
  commit(): string {
    return "COMMIT";
  }
  rollback(): string {
    return "ROLLBACK";
  }
  savepoint(name: string): string {
    return `SAVEPOINT ${name}`;
  }
  releaseSavepoint(name: string): string {
    return `RELEASE SAVEPOINT ${name}`;
  }
  rollbackToSavepoint(name: string): string {
    return `ROLLBACK TO SAVEPOINT ${name}`;
  }
}
