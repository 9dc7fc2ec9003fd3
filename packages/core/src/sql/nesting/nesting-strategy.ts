import type { Decoder, Prototypes } from "../../hydrate/hydrate.js";
import type { FieldMeta, ModelMeta } from "../../model/model-meta.js";
import type { CondNode, LockNode, OrderNode, SelectItem, SelectNode } from "../../query/ast.js";
import type { CompileContext, CompileOptions, NestedArrayParts, RelationJoin } from "../compile-context.js";

/** A nested relation of a select list: a related record (or list of them) or their ids. */
export type RelationItem = Exclude<SelectItem, { kind: "column" }>;

/**
 * The compiler hooks a nesting strategy renders through, so each dialect's quoting, values, order
 * terms and JSON functions apply: the `SqlCompiler` itself (its overrides included).
 */
export interface NestingHost {
  quote(name: string): string;
  table(model: ModelMeta): string;
  param(ctx: CompileContext, value: unknown, field?: FieldMeta): string;
  /** A field of the current scope: its column, or a computed column's expression. */
  column(ctx: CompileContext, field: FieldMeta): string;
  cond(node: CondNode, ctx: CompileContext): string;
  /** ORDER BY terms (ties by id) in the current scope. */
  orderBy(order: readonly OrderNode[], model: ModelMeta, ctx: CompileContext): string;
  /** LIMIT / OFFSET as bound values, empty without them. */
  limitOffset(ctx: CompileContext, limit?: number, offset?: number): string;
  /** A LIMIT that admits every row: makes the database honour the ORDER BY of a UNION member. */
  unboundedLimit(): string;
  lockClause(lock: LockNode, alias: string): string;
  /** FROM clause and correlation condition that reach the rows of relation `field` from `outer`. */
  relationJoin(field: FieldMeta, outer: string, alias: string): RelationJoin;
  /** One item of a select list, named `name` in the result rows (a nested one comes back through `NestingStrategy.nested`). */
  selectItem(item: SelectItem, ctx: CompileContext, name: string): string;
  /** A JSON object from `[key, expression]` pairs. */
  jsonObject(pairs: readonly (readonly [string, string])[]): string;
  /** An expression for a column inside a JSON object. */
  jsonValue(expr: string, field: FieldMeta): string;
  /** A JSON array of objects for a nested one2many / many2many, `[]` when empty. */
  nestedArray(parts: NestedArrayParts, ctx: CompileContext): string;
}

/**
 * How nested relations are read in one statement: a strategy renders the select with its nested
 * parts and reads the rows of that statement back into records, so the two halves always agree on
 * the layout (hydration is told it, never guesses it from the rows). An adapter picks one when it
 * builds its compiler (`new SqlCompiler((host) => new UnionRows(host))`); core has `JsonAggregate`
 * (PostgreSQL, MySQL 8) and `UnionRows` (MariaDB), `@dotorm/clickhouse` its own.
 *
 * @example
 * const select = planned; // a SelectNode
 * const sql = strategy.select(select, new CompileContext());
 * const records = strategy.read(select, rows, decodeValue, (m) => m.ctor.prototype);
 */
export interface NestingStrategy {
  /** The strategy's name: `"json-aggregate"`, `"union-rows"`, ... */
  readonly name: string;
  /** A (non-DISTINCT) SELECT of `node` with its nested relations, in `ctx`'s scope. */
  select(node: SelectNode, ctx: CompileContext): string;
  /**
   * Whether `select()` renders `node` as one root row per record and lists the context's leading
   * items (`CompileContext.leading`) first, so a page can carry its total in a column (see
   * `SelectNode.total`). Absent: never (the total is then a separate count).
   */
  inlineTotal?(node: SelectNode, options?: CompileOptions): boolean;
  /** The value expression of one nested relation, correlated with the current scope (group keys, DISTINCT lists). */
  nested(item: RelationItem, ctx: CompileContext): string;
  /** Records from the rows of `select` as `select()` rendered it with `options`. */
  read(
    select: SelectNode,
    rows: readonly Record<string, unknown>[],
    decode: Decoder,
    protos: Prototypes | undefined,
    options?: CompileOptions,
  ): object[];
}
