import { type Decoder, type Prototypes, hydrate, joinedKeySeparator, noJoins } from "../../hydrate/hydrate.js";
import type { SelectItem, SelectNode } from "../../query/ast.js";
import type { CompileContext, CompileOptions } from "../compile-context.js";
import type { NestingHost, NestingStrategy, RelationItem } from "./nesting-strategy.js";
import { ShapeMemo } from "./shape-memo.js";

/** A joined many2one's `LEFT JOIN ... ON ...`, rendered once the select list is (see `selectList`). */
export type JoinClause = () => string;

/** The LEFT JOINs of a select list, in the order their many2ones were listed (a parent's before its children's). */
export function renderJoins(joins: readonly JoinClause[]): string {
  let sql = "";
  for (const join of joins) sql += join();
  return sql;
}

/** Options of {@link JsonAggregate}. */
export interface JsonAggregateOptions {
  /**
   * Whether the nested many2ones of a row-level select are read through a LEFT JOIN into plain
   * columns (`"creator_id.name"`) rather than a correlated JSON subquery: the database plans one
   * join and the client parses no JSON. A function decides per select. Default false. A join's ON
   * condition (the target's access rule) is rendered after the whole select list, so its values are
   * bound in text order: right for numbered and `?` placeholders alike.
   */
  readonly joins?: boolean | ((select: SelectNode) => boolean);
  /** Longest column alias the database keeps intact (default 63: PostgreSQL truncates past 63 bytes). */
  readonly maxAliasBytes?: number;
}

/**
 * Nested relations as JSON in one row per record: a many2one as a correlated JSON object subquery
 * (or LEFT JOINed columns, see `joins`), a one2many / many2many as a JSON array aggregated per
 * parent row (`SqlCompiler.nestedArray`). The default strategy (PostgreSQL, MySQL 8).
 *
 * @example
 * new SqlCompiler((host) => new JsonAggregate(host, { joins: true }))
 * // SELECT t0."id", t1."name" AS "creator_id.name", (SELECT COALESCE(json_agg(...), '[]') ...) AS "messages" FROM "chats" t0 LEFT JOIN ...
 */
export class JsonAggregate implements NestingStrategy {
  readonly name: string = "json-aggregate";
  private readonly joins: boolean | ((select: SelectNode) => boolean);
  private readonly maxAliasBytes: number;

  constructor(
    protected readonly host: NestingHost,
    options: JsonAggregateOptions = {},
  ) {
    this.joins = options.joins ?? false;
    this.maxAliasBytes = options.maxAliasBytes ?? 63;
  }

  select(node: SelectNode, ctx: CompileContext): string {
    const h = this.host;
    const lead = ctx.takeLeading();
    const join = this.joinsIn(node);
    const render = () => {
      const joins: JoinClause[] = [];
      const items = this.selectList(node, ctx, "", joins, join);
      return `SELECT ${lead}${items} FROM ${h.table(node.model)} ${ctx.alias}${renderJoins(joins)}`;
    };
    // a planned-once shape's head (select list, FROM, joins) is rendered once; a page total leads with values
    const head = lead === "" ? this.memo.head(node.items, node.model, join, ctx, render) : { sql: render() };
    let tail = "";
    if (node.where) tail += ` WHERE ${h.cond(node.where, ctx)}`;
    tail += ` ORDER BY ${this.orderBy(node.order, node.model, ctx)}`;
    tail += h.limitOffset(ctx, node.limit, node.offset);
    if (node.lock) tail += h.lockClause(node.lock, ctx.alias);
    return head.kept ? this.memo.statement(head.kept, tail) : head.sql + tail;
  }

  /** SQL kept for planned-once shapes (see {@link ShapeMemo}). */
  protected readonly memo = new ShapeMemo();

  /** `host.orderBy`, kept for a planned-once order. */
  protected orderBy(order: SelectNode["order"], model: SelectNode["model"], ctx: CompileContext): string {
    return this.memo.order(order, model, ctx, () => this.host.orderBy(order, model, ctx));
  }

  inlineTotal(_node: SelectNode, _options?: CompileOptions): boolean {
    return true;
  }

  nested(item: RelationItem, ctx: CompileContext): string {
    const h = this.host;
    const field = item.field;
    const target = field.target();
    const sub: SelectNode =
      item.kind === "nested"
        ? item.sub
        : {
            kind: "select",
            model: target,
            items: [{ kind: "column", field: target.id }],
            where: item.where,
            order: [],
          };
    const outer = ctx.alias;
    const alias = ctx.nextAlias();
    const { from, correlation } = h.relationJoin(field, outer, alias);
    return ctx.scoped(alias, () => {
      const object =
        item.kind === "ids"
          ? h.jsonValue(h.column(ctx, target.id), target.id)
          : h.jsonObject(this.objectPairs(sub, ctx));
      const where = sub.where ? `${correlation} AND ${h.cond(sub.where, ctx)}` : correlation;
      if (field.kind === "many2one" || field.kind === "one2one") {
        return `(SELECT ${object} FROM ${from} WHERE ${where}${field.kind === "one2one" ? " LIMIT 1" : ""})`;
      }
      return h.nestedArray(
        { object, from, where, orderBy: this.orderBy(sub.order, target, ctx), limit: sub.limit, offset: sub.offset },
        ctx,
      );
    });
  }

  read(
    select: SelectNode,
    rows: readonly Record<string, unknown>[],
    decode: Decoder,
    protos: Prototypes | undefined,
    _options?: CompileOptions,
  ): object[] {
    return hydrate(select, rows, decode, protos, this.joinedOf(select));
  }

  /** The nested many2ones of a planned-once shape read as joined columns, by its frozen items. */
  private readonly joinedKept = new WeakMap<object, { join: boolean; joined: ReadonlySet<SelectItem> }>();

  /** {@link joinedItems} of a root select, kept for a planned-once shape. */
  private joinedOf(select: SelectNode): ReadonlySet<SelectItem> {
    if (select.distinct || !Object.isFrozen(select.items)) return this.joinedItems(select) ?? noJoins;
    const join = this.joinsIn(select);
    const kept = this.joinedKept.get(select.items);
    if (kept?.join === join) return kept.joined;
    const joined = this.joinedItems(select) ?? noJoins;
    this.joinedKept.set(select.items, { join, joined });
    return joined;
  }

  /** The `[key, expression]` pairs of `sub`'s JSON object in the current scope. */
  protected objectPairs(sub: SelectNode, ctx: CompileContext): [string, string][] {
    const h = this.host;
    return sub.items.map((it) =>
      it.kind === "column"
        ? [it.field.name, h.jsonValue(h.column(ctx, it.field), it.field)]
        : [it.field.name, this.nested(it, ctx)],
    );
  }

  /** Whether the many2ones nested in `node`'s select list are joined (see `JsonAggregateOptions.joins`). */
  protected joinsIn(node: SelectNode): boolean {
    const joins = this.joins;
    return typeof joins === "function" ? joins(node) : joins;
  }

  /** Whether `item`, listed with `prefix`, is read through a LEFT JOIN into plain columns. */
  private joinsItem(item: SelectItem, prefix: string, join: boolean): item is Extract<SelectItem, { kind: "nested" }> {
    return (
      join &&
      item.kind === "nested" &&
      item.field.kind === "many2one" &&
      this.aliasesFit(item.sub, prefix + item.field.name + joinedKeySeparator)
    );
  }

  /** Whether every column of `sub` named with `prefix` stays within the alias limit (else its JSON subquery is used). */
  private aliasesFit(sub: SelectNode, prefix: string): boolean {
    // a UTF-16 unit is at most 3 UTF-8 bytes: short names need no byte count
    return sub.items.every(
      (it) =>
        (prefix.length + it.field.name.length) * 3 <= this.maxAliasBytes ||
        Buffer.byteLength(prefix + it.field.name) <= this.maxAliasBytes,
    );
  }

  /**
   * The select list of `node` in the current scope; each joined many2one adds its LEFT JOIN to
   * `joins`, rendered (`renderJoins`) only once the whole list is: a join's ON condition (the target's
   * access rule) then binds its values after the list's, in text order, as `?` placeholders need.
   */
  protected selectList(
    node: SelectNode,
    ctx: CompileContext,
    prefix: string,
    joins: JoinClause[],
    join: boolean,
  ): string {
    const items = node.items.map((item) => {
      if (this.joinsItem(item, prefix, join)) {
        const alias = ctx.nextAlias();
        const { from, correlation } = this.host.relationJoin(item.field, ctx.alias, alias);
        const where = item.sub.where;
        joins.push(() =>
          where
            ? ctx.scoped(alias, () => ` LEFT JOIN ${from} ON ${correlation} AND ${this.host.cond(where, ctx)}`)
            : ` LEFT JOIN ${from} ON ${correlation}`,
        );
        return ctx.scoped(alias, () =>
          this.selectList(item.sub, ctx, prefix + item.field.name + joinedKeySeparator, joins, join),
        );
      }
      return this.host.selectItem(item, ctx, prefix + item.field.name);
    });
    return items.join(", ");
  }

  /** The result column names `selectList` gives `node` (joined many2ones spread into their columns). */
  protected columnNames(node: SelectNode, prefix: string, join: boolean, out: string[] = []): string[] {
    for (const item of node.items) {
      if (this.joinsItem(item, prefix, join))
        this.columnNames(item.sub, prefix + item.field.name + joinedKeySeparator, join, out);
      else out.push(prefix + item.field.name);
    }
    return out;
  }

  /**
   * The nested many2ones `select` (a row-level select, not DISTINCT) reads as joined columns, added
   * to `into`: what the hydrator is told instead of guessing from the rows' keys. Undefined (no set
   * built) when nothing is joined.
   */
  protected joinedItems(select: SelectNode, prefix = "", into?: Set<SelectItem>): Set<SelectItem> | undefined {
    if (select.distinct || !this.joinsIn(select)) return into;
    return this.collectJoined(select, prefix, into);
  }

  private collectJoined(
    node: SelectNode,
    prefix: string,
    into: Set<SelectItem> | undefined,
  ): Set<SelectItem> | undefined {
    for (const item of node.items) {
      if (!this.joinsItem(item, prefix, true)) continue;
      into ??= new Set();
      into.add(item);
      into = this.collectJoined(item.sub, prefix + item.field.name + joinedKeySeparator, into);
    }
    return into;
  }
}
