import type {
  Computed,
  LockNode,
  AggregateItem,
  DatePart,
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
import { quoteAnsi } from "./quote-ident.js";
import { decodeValue } from "../hydrate/decode-value.js";
import { joinedKeySeparator } from "../hydrate/hydrate.js";
import { isBranchItem } from "../hydrate/branches.js";
import { UnionNesting } from "./union-nesting.js";
import { type ExprHost, renderExpr } from "./render-expr.js";
import { type ComputedHost, renderComputed } from "./render-computed.js";
import { computedOf } from "../query/computed-fields.js";

/**
 * The only comparison operators and aggregate functions SQL is ever written with: the compiler
 * looks a node's operator up here and never splices the node's own string.
 */
const comparisons: Readonly<Record<string, string>> = Object.freeze({ "=": "=", "<>": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<=" });
const aggregateFns: Readonly<Record<string, string>> = Object.freeze({ count: "COUNT", sum: "SUM", avg: "AVG", min: "MIN", max: "MAX" });

/** A token of the fixed tables above; anything else is a condition core did not build. */
function token(table: Readonly<Record<string, string>>, key: unknown, what: string): string {
  const sql = typeof key === "string" && Object.hasOwn(table, key) ? table[key] : undefined;
  if (sql === undefined) throw new QueryError(`unknown ${what} ${JSON.stringify(key)}: conditions are built from filter lists only`);
  return sql;
}

/** How a statement will be read. */
export interface CompileOptions {
  /**
   * The rows are hydrated batch by batch as they stream in, so each row must hold whole records:
   * no tagged layout (see `SqlCompiler.nestsByUnion`).
   */
  readonly streaming?: boolean;
}

/** Per-compilation state: collected parameters and the table alias of each nesting level. */
export class CompileContext {
  readonly params: unknown[] = [];
  private aliasCount = 0;
  constructor(readonly options: CompileOptions = {}) {}
  /** The alias the fields of the current scope are qualified with. */
  alias = "t0";
  nextAlias(): string {
    this.aliasCount += 1;
    return `t${this.aliasCount}`;
  }
  /** Runs `fn` with `alias` as the current scope. */
  scoped<T>(alias: string, fn: () => T): T {
    const prev = this.alias;
    this.alias = alias;
    try {
      return fn();
    } finally {
      this.alias = prev;
    }
  }
}

/** How the rows of a relation are reached: FROM text, and the condition tying them to the outer row. */
export interface RelationJoin {
  /** `table alias` (with the link table joined for a many2many). */
  readonly from: string;
  /** The related side's expression the correlation compares (its id, or the column holding the owner's id). */
  readonly key: string;
  readonly correlation: string;
}

/** The parts of a nested one2many / many2many read, for dialects that render arrays their own way. */
export interface NestedArrayParts {
  /** JSON object expression of one row. */
  readonly object: string;
  /** `FROM ... [JOIN ...]` with the row alias. */
  readonly from: string;
  /** WHERE condition (correlation and the nested filter). */
  readonly where: string;
  /** ORDER BY terms, never empty (ties broken by id). */
  readonly orderBy: string;
  readonly limit?: number;
  readonly offset?: number;
}

/**
 * The base SQL compiler: walks the query AST and renders standard SQL. Adapters subclass it and
 * override only the hooks where their database differs (quoting, placeholders, ILIKE, JSON
 * aggregation, RETURNING, value encoding).
 */
export class SqlCompiler {
  /** Whether INSERT can return generated ids (`RETURNING`). */
  protected readonly returning: boolean = true;

  /** Compiles one statement. */
  compile(node: QueryNode, options?: CompileOptions): CompiledQuery {
    const ctx = new CompileContext(options);
    const sql = this.statement(node, ctx);
    const kind = statementKind(node.kind);
    if (node.kind === "insert" && node.returningId) return { sql, params: this.finishParams(ctx), kind, generatedIds: node.rows.length };
    return { sql, params: this.finishParams(ctx), kind };
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

  // ---- hooks -------------------------------------------------------------------------------

  /** Quotes an identifier (ANSI double quotes). */
  quote(name: string): string {
    return quoteAnsi(name);
  }

  /** Adds a bound value and returns its placeholder (`?` here). */
  param(ctx: CompileContext, value: unknown, field?: FieldMeta): string {
    ctx.params.push(this.encode(value, field));
    return "?";
  }

  /** Params as handed to the driver (a list here; ClickHouse makes a record). */
  finishParams(ctx: CompileContext): CompiledQuery["params"] {
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

  // ---- statements --------------------------------------------------------------------------

  /** A field of the current scope: its column, or the expression of a computed stand-in (date part, path, annotation). */
  protected column(ctx: CompileContext, field: FieldMeta): string {
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

  /**
   * A part of a date or datetime column, in UTC: standard `EXTRACT` and `CAST(... AS DATE)` here;
   * a dialect overrides it where its types or time zones differ.
   */
  datePart(part: DatePart, expr: string, _source: FieldMeta): string {
    return part === "date" ? `CAST(${expr} AS DATE)` : `EXTRACT(${part.toUpperCase()} FROM ${expr})`;
  }

  protected table(model: ModelMeta): string {
    return this.quote(model.table);
  }

  /**
   * Whether a nested many2one of a top-level select is read through a LEFT JOIN into plain columns
   * (`"creator_id.name"`, see `hydrate`) rather than a correlated JSON subquery: the database plans one
   * join and the client parses no JSON. Off here; a dialect turns it on only when its placeholders are
   * numbered, because the parameters of join conditions are collected after those of the select list.
   */
  protected readonly joinsSingles: boolean = false;

  /** Longest column alias the database keeps intact (PostgreSQL truncates past 63 bytes). */
  protected readonly maxAliasBytes: number = 63;

  protected select(node: SelectNode, ctx: CompileContext): string {
    if (node.distinct) return this.distinctSelect(node, ctx);
    if (this.nestsByUnion && !ctx.options.streaming && !node.lock && node.items.some(isBranchItem)) return this.unionSelect(node, ctx);
    const joins: string[] = [];
    const items = this.selectList(node, ctx, "", joins, this.joinsIn(node));
    let sql = `SELECT ${items} FROM ${this.table(node.model)} ${ctx.alias}${joins.join("")}`;
    if (node.where) sql += ` WHERE ${this.cond(node.where, ctx)}`;
    sql += ` ORDER BY ${this.orderBy(node.order, node.model, ctx)}`;
    sql += this.limitOffset(ctx, node.limit, node.offset);
    if (node.lock) sql += this.lockClause(node.lock, ctx.alias);
    return sql;
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

  /**
   * The row lock of a select: `FOR UPDATE OF` the selected table only (a joined many2one is on the
   * nullable side of an outer join, which PostgreSQL refuses to lock), then `SKIP LOCKED` / `NOWAIT`.
   */
  lockClause(lock: LockNode, alias: string): string {
    return ` FOR UPDATE OF ${alias}${lock.skipLocked ? " SKIP LOCKED" : lock.noWait ? " NOWAIT" : ""}`;
  }

  /** Whether the many2ones nested in `node`'s select list are joined (see `joinsSingles`); dialects may refuse some selects. */
  protected joinsIn(_node: SelectNode): boolean {
    return this.joinsSingles;
  }

  /** Whether `item`, listed with `prefix`, is read through a LEFT JOIN into plain columns. */
  private joinsItem(item: SelectItem, prefix: string, join: boolean): item is Extract<SelectItem, { kind: "nested" }> {
    return join && item.kind === "nested" && item.field.kind === "many2one" && this.aliasesFit(item.sub, prefix + item.field.name + joinedKeySeparator);
  }

  /** The select list of `node` in the current scope; each joined many2one adds its LEFT JOIN to `joins`. */
  protected selectList(node: SelectNode, ctx: CompileContext, prefix: string, joins: string[], join: boolean): string {
    const items = node.items.map((item) => {
      if (this.joinsItem(item, prefix, join)) {
        const alias = ctx.nextAlias();
        const { from, correlation } = this.relationJoin(item.field, ctx.alias, alias);
        return ctx.scoped(alias, () => {
          joins.push(` LEFT JOIN ${from} ON ${item.sub.where ? `${correlation} AND ${this.cond(item.sub.where, ctx)}` : correlation}`);
          return this.selectList(item.sub, ctx, prefix + item.field.name + joinedKeySeparator, joins, join);
        });
      }
      return this.selectItem(item, ctx, prefix + item.field.name);
    });
    return items.join(", ");
  }

  /** The result column names `selectList` gives `node` (joined many2ones spread into their columns). */
  private columnNames(node: SelectNode, prefix: string, join: boolean, out: string[] = []): string[] {
    for (const item of node.items) {
      if (this.joinsItem(item, prefix, join)) this.columnNames(item.sub, prefix + item.field.name + joinedKeySeparator, join, out);
      else out.push(prefix + item.field.name);
    }
    return out;
  }

  // ---- nested reads as tagged rows -----------------------------------------------------------

  /**
   * Whether a select with nested one2many / many2many reads them as tagged rows of one `UNION ALL`
   * (one SELECT per relation, each row one record, hydrated by `hydrateTagged`; see `UnionNesting`)
   * instead of JSON arrays aggregated per parent row. Off here; MariaDB turns it on, where every JSON
   * aggregate of wide values builds an on-disk temporary table.
   */
  protected readonly nestsByUnion: boolean = false;

  /** A LIMIT that admits every row: makes the database honour the ORDER BY of a UNION member. */
  protected unboundedLimit(): string {
    return " LIMIT ALL";
  }

  private union?: UnionNesting;

  /** The select as one `UNION ALL` of tagged rows (see `nestsByUnion`). */
  protected unionSelect(root: SelectNode, ctx: CompileContext): string {
    this.union ??= new UnionNesting({
      quote: (name) => this.quote(name),
      table: (model) => this.table(model),
      param: (c, value, field) => this.param(c, value, field),
      cond: (node, c) => this.cond(node, c),
      orderBy: (node, c) => this.orderBy(node.order, node.model, c),
      page: (c, node) => (node.limit === undefined && !node.offset ? this.unboundedLimit() : this.limitOffset(c, node.limit, node.offset)),
      limitOffset: (c, node) => this.limitOffset(c, node.limit, node.offset),
      joinsIn: (node) => this.joinsIn(node),
      selectList: (node, c, prefix, joins, join) => this.selectList(node, c, prefix, joins, join),
      columnNames: (node, prefix, join) => this.columnNames(node, prefix, join),
      relationJoin: (field, alias) => this.relationJoin(field, "", alias),
    });
    return this.union.select(root, ctx);
  }

  /** Whether every column of `sub` named with `prefix` stays within the alias limit (else its JSON subquery is used). */
  private aliasesFit(sub: SelectNode, prefix: string): boolean {
    // a UTF-16 unit is at most 3 UTF-8 bytes: short names need no byte count
    return sub.items.every((it) => (prefix.length + it.field.name.length) * 3 <= this.maxAliasBytes || Buffer.byteLength(prefix + it.field.name) <= this.maxAliasBytes);
  }

  /** One item of a select list, named `name` in the result rows. */
  protected selectItem(item: SelectItem, ctx: CompileContext, name = item.field.name): string {
    if (item.kind === "column") {
      const col = this.column(ctx, item.field);
      // a computed stand-in keeps its source's column name, but its expression needs the alias
      return item.field.column === name && !computedOf(item.field) ? col : `${col} AS ${this.quote(name)}`;
    }
    return `${this.nestedExpr(item, ctx)} AS ${this.quote(name)}`;
  }

  protected orderBy(order: readonly OrderNode[], model: ModelMeta, ctx: CompileContext): string {
    const terms = order.map((o) => this.orderTerm(this.column(ctx, o.field), o.desc));
    if (!order.some((o) => o.field.name === "id")) terms.push(this.orderTerm(this.column(ctx, model.id), false));
    return terms.join(", ");
  }

  /** The expression of a nested relation (object or array), correlated with the current scope. */
  protected nestedExpr(item: Exclude<SelectItem, { kind: "column" }>, ctx: CompileContext): string {
    const field = item.field;
    const target = field.target();
    const sub: SelectNode =
      item.kind === "nested"
        ? item.sub
        : { kind: "select", model: target, items: [{ kind: "column", field: target.id }], where: item.where, order: [] };
    const outer = ctx.alias;
    const alias = ctx.nextAlias();
    const { from, correlation } = this.relationJoin(field, outer, alias);
    return ctx.scoped(alias, () => {
      const object =
        item.kind === "ids" ? this.jsonValue(this.column(ctx, target.id), target.id) : this.jsonObject(this.objectPairs(sub, ctx));
      const where = sub.where ? `${correlation} AND ${this.cond(sub.where, ctx)}` : correlation;
      if (field.kind === "many2one" || field.kind === "one2one") {
        return `(SELECT ${object} FROM ${from} WHERE ${where}${field.kind === "one2one" ? " LIMIT 1" : ""})`;
      }
      return this.nestedArray(
        { object, from, where, orderBy: this.orderBy(sub.order, target, ctx), limit: sub.limit, offset: sub.offset },
        ctx,
      );
    });
  }

  protected objectPairs(sub: SelectNode, ctx: CompileContext): [string, string][] {
    return sub.items.map((it) =>
      it.kind === "column" ? [it.field.name, this.jsonValue(this.column(ctx, it.field), it.field)] : [it.field.name, this.nestedExpr(it, ctx)],
    );
  }

  /** FROM clause and correlation condition that reach the rows of relation `field` from `outer`. */
  protected relationJoin(field: FieldMeta, outer: string, alias: string): RelationJoin {
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
        return { from: `${t} JOIN ${this.quote(link.table)} ${l} ON ${q(l, link.column2)} = ${q(alias, "id")}`, key, correlation: `${key} = ${q(outer, "id")}` };
      }
    }
  }

  protected cond(node: CondNode, ctx: CompileContext): string {
    // a condition core did not build and check (e.g. an object shaped like a node) never becomes SQL
    if (!isSealed(node)) throw new QueryError("a condition must be a filter list; objects shaped like internal nodes are refused");
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
        return this.like(this.column(ctx, node.field), this.param(ctx, node.pattern, node.field), node.ci === true, node.negate === true);
      case "between":
        return `${this.column(ctx, node.field)} ${node.negate === true ? "NOT " : ""}BETWEEN ${this.param(ctx, node.low, node.field)} AND ${this.param(ctx, node.high, node.field)}`;
      case "cmpExpr":
        return `${this.column(ctx, node.field)} ${token(comparisons, node.op, "comparison")} ${renderExpr(node.expr, this.exprHost(ctx))}`;
      case "exists": {
        const alias = ctx.nextAlias();
        const { from, correlation } = this.relationJoin(node.via, ctx.alias, alias);
        return ctx.scoped(alias, () => `EXISTS (SELECT 1 FROM ${from} WHERE ${correlation} AND ${this.cond(node.cond, ctx)})`);
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
      const having = node.having.map((h) => `${this.aggregateExpr(h.item, ctx)} ${token(comparisons, h.op, "comparison")} ${this.param(ctx, h.value, h.item.fn.startsWith("count") ? undefined : h.item.field)}`);
      sql += ` HAVING ${having.join(" AND ")}`;
    }
    const order = node.order.map((o) =>
      this.orderTerm("fn" in o.key ? this.aggregateExpr(o.key, ctx) : this.column(ctx, o.key), o.desc),
    );
    if (order.length === 0) order.push(...keys.map((k) => this.orderTerm(k, false)));
    if (order.length > 0) sql += ` ORDER BY ${order.join(", ")}`;
    return sql + this.limitOffset(ctx, node.limit, node.offset);
  }

  /** Wraps a statement to show its plan. */
  explain(sql: string): string {
    return `EXPLAIN ${sql}`;
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
    const exprs = (node.exprs ?? []).map(([f, e]) => `${this.quote(f.column)} = ${renderExpr(e, this.exprHost(ctx, qualified))}`);
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
