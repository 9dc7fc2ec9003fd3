import type {
  Computed,
  AggregateItem,
  AggregateNode,
  CondNode,
  CountNode,
  DeleteNode,
  InsertNode,
  OrderNode,
  QueryNode,
  SelectItem,
  SelectNode,
  UnlinkNode,
  UpdateNode,
} from "../query/ast.js";
import { QueryError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { isSealed } from "../query/ast.js";
import { type CompiledQuery, statementKind } from "./statement.js";
import { SqlDialect } from "./sql-dialect.js";
import type { Decoder, Prototypes } from "../hydrate/hydrate.js";
import { type CompileOptions, CompileContext, type RelationJoin } from "./compile-context.js";
import type { NestingHost, NestingStrategy } from "./nesting/nesting-strategy.js";
import { JsonAggregate } from "./nesting/json-aggregate.js";
import { type ExprHost, renderExpr } from "./render-expr.js";
import { type ComputedHost, renderComputed } from "./render-computed.js";
import { computedOf } from "../query/computed-fields.js";

/**
 * The only comparison operators and aggregate functions SQL is ever written with: the compiler
 * looks a node's operator up here and never splices the node's own string.
 */
const comparisons: Readonly<Record<string, string>> = Object.freeze({
  "=": "=",
  "<>": "<>",
  ">": ">",
  ">=": ">=",
  "<": "<",
  "<=": "<=",
});
const aggregateFns: Readonly<Record<string, string>> = Object.freeze({
  count: "COUNT",
  sum: "SUM",
  avg: "AVG",
  min: "MIN",
  max: "MAX",
});

/** A token of the fixed tables above; anything else is a condition core did not build. */
function token(table: Readonly<Record<string, string>>, key: unknown, what: string): string {
  const sql = typeof key === "string" && Object.hasOwn(table, key) ? table[key] : undefined;
  if (sql === undefined)
    throw new QueryError(`unknown ${what} ${JSON.stringify(key)}: conditions are built from filter lists only`);
  return sql;
}

/** The column a select with `total` carries the page total in (see `SelectNode.total`). */
export const totalColumn = "#total";

/**
 * The base SQL compiler: walks the query AST and renders standard SQL. Adapters subclass it and
 * override only the hooks where their database differs (quoting, placeholders, ILIKE, JSON
 * aggregation, RETURNING, value encoding).
 */
export class SqlCompiler extends SqlDialect {
  /** Whether INSERT can return generated ids (`RETURNING`). */
  protected readonly returning: boolean = true;

  /**
   * How nested relations are rendered and read back: the strategy the adapter picked (see
   * `sql/nesting/`), built over this compiler's hooks. `JsonAggregate` without joins by default.
   *
   * @example
   * class MyCompiler extends SqlCompiler {
   *   constructor() {
   *     super((host) => new JsonAggregate(host, { joins: true }));
   *   }
   * }
   */
  readonly nesting: NestingStrategy;

  constructor(nesting: (host: NestingHost) => NestingStrategy = (host) => new JsonAggregate(host)) {
    super();
    // the compiler is the host: the strategy renders through its (overridable) hooks directly
    this.nesting = nesting(this);
  }

  /** Compiles one statement. */
  compile(node: QueryNode, options?: CompileOptions): CompiledQuery {
    const ctx = new CompileContext(options);
    const sql = this.statement(node, ctx);
    const kind = statementKind(node.kind);
    if (node.kind === "insert" && node.returningId)
      return { sql, params: this.finishParams(ctx), kind, generatedIds: node.rows.length };
    return { sql, params: this.finishParams(ctx), kind };
  }

  /** Records from the rows of `select` compiled with `options`, in the layout the nesting strategy rendered. */
  read(
    select: SelectNode,
    rows: readonly Record<string, unknown>[],
    protos?: Prototypes,
    options?: CompileOptions,
  ): object[] {
    return this.nesting.read(select, rows, this.decoder, protos, options);
  }

  private readonly decoder: Decoder = Object.assign(
    (field: FieldMeta, raw: unknown, inJson: boolean) => this.decode(field, raw, inJson),
    { column: (field: FieldMeta) => this.cachedColumnDecoder(field) },
  );

  /** {@link columnDecoder}s made so far, by field. */
  private readonly columnDecoders = new WeakMap<FieldMeta, (raw: unknown) => unknown>();

  private cachedColumnDecoder(field: FieldMeta): (raw: unknown) => unknown {
    let decoder = this.columnDecoders.get(field);
    if (!decoder) {
      decoder = this.columnDecoder(field);
      this.columnDecoders.set(field, decoder);
    }
    return decoder;
  }

  protected statement(node: QueryNode, ctx: CompileContext): string {
    switch (node.kind) {
      case "select":
        return this.select(node, ctx);
      case "count":
        return this.count(node, ctx);
      case "insert":
        return this.insert(node, ctx);
      case "update":
        return this.update(node, ctx);
      case "delete":
        return this.delete(node, ctx);
      case "unlink":
        return this.unlink(node, ctx);
      case "aggregate":
        return this.aggregate(node, ctx);
    }
  }

  // ---- statements --------------------------------------------------------------------------

  /** A field of the current scope: its column, or the expression of a computed stand-in (date part, path, annotation). */
  column(ctx: CompileContext, field: FieldMeta): string {
    const computed = computedOf(field);
    return computed ? this.computed(computed, ctx) : `${ctx.alias}.${this.quote(field.column)}`;
  }

  /** A computed column: a date part, a many2one path or a relation's aggregate (see `renderComputed`). */
  protected computed(computed: Computed, ctx: CompileContext): string {
    return renderComputed(computed, ctx, this.computedHost);
  }

  private readonly computedHost: ComputedHost = {
    column: (ctx, field) => this.column(ctx, field),
    relationJoin: (field, outer, alias) => this.relationJoin(field, outer, alias),
    cond: (node, ctx) => this.cond(node, ctx),
    datePart: (part, expr, source) => this.datePart(part, expr, source),
    aggregate: (fn, field, ctx) => this.aggregateExpr({ alias: "", fn, field }, ctx),
  };

  table(model: ModelMeta): string {
    return this.quote(model.table);
  }

  /** A SELECT: DISTINCT here, the rest (nested relations included) by the nesting strategy. */
  protected select(node: SelectNode, ctx: CompileContext): string {
    if (node.distinct) return this.distinctSelect(node, ctx);
    if (node.total) {
      if (!this.countsInline(node, ctx.options))
        throw new QueryError("this select cannot carry its total in a column: count separately");
      // rendered first, so its parameters are the first ones whatever the placeholders
      ctx.leading = `${this.totalItem(node, ctx)}, `;
    }
    return this.nesting.select(node, ctx);
  }

  /**
   * Whether `select` can read its total in the same statement (`SelectNode.total`): not DISTINCT,
   * not locked, and rendered by the nesting strategy as one root row per record.
   */
  countsInline(select: SelectNode, options?: CompileOptions): boolean {
    return !select.distinct && !select.lock && this.nesting.inlineTotal?.(select, options) === true;
  }

  /** `(SELECT COUNT(*) FROM <table> tN WHERE <the select's where, in tN>) AS "#total"`: uncorrelated, run once. */
  protected totalItem(node: SelectNode, ctx: CompileContext): string {
    const alias = ctx.nextAlias();
    const where = node.where;
    const cond = where ? ` WHERE ${ctx.scoped(alias, () => this.cond(where, ctx))}` : "";
    return `(SELECT COUNT(*) FROM ${this.table(node.model)} ${alias}${cond}) AS ${this.quote(totalColumn)}`;
  }

  /**
   * `SELECT DISTINCT` of column items, ordered outside it by the result's own columns: databases
   * refuse (PostgreSQL) or misread an ORDER BY of a DISTINCT on anything but its select list, and a
   * computed column's expression binds its values again when repeated.
   */
  protected distinctSelect(node: SelectNode, ctx: CompileContext): string {
    const items = node.items.map((item) => this.selectItem(item, ctx)).join(", ");
    let inner = `SELECT DISTINCT ${items} FROM ${this.table(node.model)} ${ctx.alias}`;
    if (node.where) inner += ` WHERE ${this.cond(node.where, ctx)}`;
    const d = ctx.nextAlias();
    const order = node.order.map((o) => this.orderTerm(`${d}.${this.quote(o.field.name)}`, o.desc)).join(", ");
    return `SELECT * FROM (${inner}) ${d} ORDER BY ${order}${this.limitOffset(ctx, node.limit, node.offset)}`;
  }

  /** One item of a select list, named `name` in the result rows. */
  selectItem(item: SelectItem, ctx: CompileContext, name = item.field.name): string {
    if (item.kind === "column") {
      const col = this.column(ctx, item.field);
      // a computed stand-in keeps its source's column name, but its expression needs the alias
      return item.field.column === name && !computedOf(item.field) ? col : `${col} AS ${this.quote(name)}`;
    }
    return `${this.nesting.nested(item, ctx)} AS ${this.quote(name)}`;
  }

  orderBy(order: readonly OrderNode[], model: ModelMeta, ctx: CompileContext): string {
    const terms = order.map((o) => this.orderTerm(this.column(ctx, o.field), o.desc));
    if (!order.some((o) => o.field.name === "id")) terms.push(this.orderTerm(this.column(ctx, model.id), false));
    return terms.join(", ");
  }

  /** FROM clause and correlation condition that reach the rows of relation `field` from `outer`. */
  relationJoin(field: FieldMeta, outer: string, alias: string): RelationJoin {
    const target = field.target();
    const t = `${this.table(target)} ${alias}`;
    const q = (a: string, c: string) => `${a}.${this.quote(c)}`;
    switch (field.kind) {
      case "many2one":
        return { from: t, key: q(alias, "id"), correlation: `${q(alias, "id")} = ${q(outer, field.column)}` };
      case "one2many":
      case "one2one": {
        const key = q(alias, field.inverse!().column);
        return { from: t, key, correlation: `${key} = ${q(outer, "id")}` };
      }
      default: {
        const link = field.link!();
        const l = `${alias}l`;
        const key = q(l, link.column1);
        return {
          from: `${t} JOIN ${this.quote(link.table)} ${l} ON ${q(l, link.column2)} = ${q(alias, "id")}`,
          key,
          correlation: `${key} = ${q(outer, "id")}`,
        };
      }
    }
  }

  cond(node: CondNode, ctx: CompileContext): string {
    // a condition core did not build and check (e.g. an object shaped like a node) never becomes SQL
    if (!isSealed(node))
      throw new QueryError("a condition must be a filter list; objects shaped like internal nodes are refused");
    switch (node.kind) {
      case "and":
      case "or":
        return `(${node.items.map((i) => this.cond(i, ctx)).join(node.kind === "and" ? " AND " : " OR ")})`;
      case "not":
        return this.not(this.cond(node.item, ctx));
      case "const":
        return this.bool(node.value === true);
      case "cmp":
        return `${this.column(ctx, node.field)} ${token(comparisons, node.op, "comparison")} ${this.param(ctx, node.value, node.field)}`;
      case "null":
        return `${this.column(ctx, node.field)} IS ${node.negate === true ? "NOT " : ""}NULL`;
      case "in":
        return this.in(ctx, this.column(ctx, node.field), node.field, node.values, node.negate === true);
      case "like":
        return this.like(
          this.column(ctx, node.field),
          this.param(ctx, node.pattern, node.field),
          node.ci === true,
          node.negate === true,
        );
      case "between":
        return `${this.column(ctx, node.field)} ${node.negate === true ? "NOT " : ""}BETWEEN ${this.param(ctx, node.low, node.field)} AND ${this.param(ctx, node.high, node.field)}`;
      case "cmpExpr":
        return `${this.column(ctx, node.field)} ${token(comparisons, node.op, "comparison")} ${renderExpr(node.expr, this.exprHost(ctx))}`;
      case "exists": {
        const alias = ctx.nextAlias();
        const { from, correlation } = this.relationJoin(node.via, ctx.alias, alias);
        return ctx.scoped(
          alias,
          () => `EXISTS (SELECT 1 FROM ${from} WHERE ${correlation} AND ${this.cond(node.cond, ctx)})`,
        );
      }
      default:
        throw new QueryError(`unknown condition ${JSON.stringify((node as { kind?: unknown }).kind)}`);
    }
  }

  protected count(node: CountNode, ctx: CompileContext): string {
    const where = node.where ? ` WHERE ${this.cond(node.where, ctx)}` : "";
    return node.exists
      ? `SELECT 1 AS ${this.quote("x")} FROM ${this.table(node.model)} ${ctx.alias}${where} LIMIT 1`
      : `SELECT COUNT(*) AS ${this.quote("n")} FROM ${this.table(node.model)} ${ctx.alias}${where}`;
  }

  protected insert(node: InsertNode, ctx: CompileContext): string {
    const cols = node.columns.map((c) => this.quote(c.name)).join(", ");
    const body = node.columns.length === 0 ? " DEFAULT VALUES" : ` (${cols}) ${this.insertSource(node, ctx)}`;
    let sql = `INSERT INTO ${this.quote(node.table)}${body}${this.conflict(node)}`;
    if (node.returningId && this.returning) sql += ` RETURNING ${this.quote("id")}`;
    return sql;
  }

  /** The rows of an INSERT: `VALUES (...), (...)` here. */
  protected insertSource(node: InsertNode, ctx: CompileContext): string {
    return `VALUES ${node.rows.map((row) => `(${row.map((v, i) => this.param(ctx, v, node.columns[i]?.field)).join(", ")})`).join(", ")}`;
  }

  /**
   * `ON CONFLICT` for link tables (ignore) and upserts. An upsert with nothing to update still
   * "updates" its key to itself so RETURNING yields the existing row's id.
   */
  protected conflict(node: InsertNode): string {
    if (node.ignoreConflicts) return " ON CONFLICT DO NOTHING";
    if (!node.onConflict) return "";
    const keys = node.onConflict.columns.map((f) => this.quote(f.column));
    const update = node.onConflict.update.length > 0 ? node.onConflict.update : node.onConflict.columns.slice(0, 1);
    return ` ON CONFLICT (${keys.join(", ")}) DO UPDATE SET ${update.map((f) => `${this.quote(f.column)} = EXCLUDED.${this.quote(f.column)}`).join(", ")}`;
  }

  /** The SQL expression of one aggregate. */
  aggregateExpr(item: AggregateItem, ctx: CompileContext): string {
    const col = this.column(ctx, item.field);
    switch (item.fn) {
      case "count":
        return `COUNT(${col})`;
      case "count_distinct":
        return `COUNT(DISTINCT ${col})`;
      default:
        return `${token(aggregateFns, item.fn, "aggregate function")}(${col})`;
    }
  }

  protected aggregate(node: AggregateNode, ctx: CompileContext): string {
    const items = [
      ...node.groupBy.map((item) => this.selectItem(item, ctx)),
      ...node.aggregates.map((a) => `${this.aggregateExpr(a, ctx)} AS ${this.quote(a.alias)}`),
    ];
    let sql = `SELECT ${items.join(", ")} FROM ${this.table(node.model)} ${ctx.alias}`;
    if (node.where) sql += ` WHERE ${this.cond(node.where, ctx)}`;
    const keys = node.groupBy.map((item) => this.column(ctx, item.field));
    if (keys.length > 0) sql += ` GROUP BY ${keys.join(", ")}`;
    if (node.having.length > 0) {
      const having = node.having.map(
        (h) =>
          `${this.aggregateExpr(h.item, ctx)} ${token(comparisons, h.op, "comparison")} ${this.param(ctx, h.value, h.item.fn.startsWith("count") ? undefined : h.item.field)}`,
      );
      sql += ` HAVING ${having.join(" AND ")}`;
    }
    const order = node.order.map((o) =>
      this.orderTerm("fn" in o.key ? this.aggregateExpr(o.key, ctx) : this.column(ctx, o.key), o.desc),
    );
    if (order.length === 0) order.push(...keys.map((k) => this.orderTerm(k, false)));
    if (order.length > 0) sql += ` ORDER BY ${order.join(", ")}`;
    return sql + this.limitOffset(ctx, node.limit, node.offset);
  }

  /** Leaves of an `F` expression: columns of the current scope (`qualified`) or bare, and bound values. */
  protected exprHost(ctx: CompileContext, qualified = true): ExprHost {
    return {
      column: (field) => (qualified ? this.column(ctx, field) : this.quote(field.column)),
      param: (value, field) => this.param(ctx, value, field),
    };
  }

  /** The SET list of an UPDATE: bound values, then expressions over the row (`F`). */
  protected setList(node: UpdateNode, ctx: CompileContext, qualified = true): string {
    const values = node.set.map(([f, v]) => `${this.quote(f.column)} = ${this.param(ctx, v, f)}`);
    const exprs = (node.exprs ?? []).map(
      ([f, e]) => `${this.quote(f.column)} = ${renderExpr(e, this.exprHost(ctx, qualified))}`,
    );
    return [...values, ...exprs].join(", ");
  }

  protected update(node: UpdateNode, ctx: CompileContext): string {
    const set = this.setList(node, ctx);
    const where = node.where ? ` WHERE ${this.cond(node.where, ctx)}` : "";
    return `UPDATE ${this.table(node.model)} AS ${ctx.alias} SET ${set}${where}`;
  }

  protected delete(node: DeleteNode, ctx: CompileContext): string {
    const where = node.where ? ` WHERE ${this.cond(node.where, ctx)}` : "";
    return `DELETE FROM ${this.table(node.model)} AS ${ctx.alias}${where}`;
  }

  protected unlink(node: UnlinkNode, ctx: CompileContext): string {
    const ids = (list: readonly unknown[], key?: FieldMeta) => list.map((v) => this.param(ctx, v, key)).join(", ");
    let sql = `DELETE FROM ${this.quote(node.table)} WHERE ${this.quote(node.ownerColumn)} IN (${ids(node.owners, node.ownerKey)})`;
    if (node.targets) sql += ` AND ${this.quote(node.targetColumn)} IN (${ids(node.targets, node.targetKey)})`;
    return sql;
  }
}
