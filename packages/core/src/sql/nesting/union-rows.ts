import { type Branch, branchesOf, isBranchItem, nodeOf, tagColumns } from "../../hydrate/branches.js";
import { type Decoder, type Prototypes, hydrateTagged, noJoins } from "../../hydrate/hydrate.js";
import type { CondNode, SelectItem, SelectNode } from "../../query/ast.js";
import type { CompileContext, CompileOptions } from "../compile-context.js";
import { type JoinClause, JsonAggregate, renderJoins } from "./json-aggregate.js";
import type { NestingHost } from "./nesting-strategy.js";
import { FragmentMemo } from "./shape-memo.js";

/**
 * Nested one2many / many2many as tagged rows of one statement: one SELECT per branch (see
 * `branchesOf`) joined by `UNION ALL`, read back by `hydrateTagged`. Every member lists every
 * branch's columns, NULL outside its own, so the first member names them all. Children are picked by
 * their parent key `IN` the parent branch's ids, with the parent's filter and limit repeated there; a
 * per-parent limit is a `ROW_NUMBER()` rank on a derived table of ids unless the root is one record.
 * Many2ones, and relations nested under them, are read as `JsonAggregate` reads them. A select with
 * no one2many / many2many, a locked one and a streamed one (each row must hold whole records) are
 * read as `JsonAggregate` reads them too. MariaDB's default: there every JSON aggregate of wide
 * values builds an on-disk temporary table.
 *
 * @example
 * new SqlCompiler((host) => new UnionRows(host)).compile(chatWithMessages)
 * // (SELECT 0 AS `#b`, NULL AS `#p`, NULL AS `#n`, t0.`id`, ..., NULL AS `1#body` FROM `chats` t0 ...)
 * // UNION ALL (SELECT 1, t2.`chat_id`, NULL, NULL, ..., t2.`body` FROM `chat_messages` t2 WHERE ...)
 */
export class UnionRows extends JsonAggregate {
  override readonly name: string = "union-rows";

  override select(root: SelectNode, ctx: CompileContext): string {
    return this.tagged(root, ctx.options) ? this.union(root, ctx) : super.select(root, ctx);
  }

  /** Tagged rows are several per record: their page total is a separate count. */
  override inlineTotal(node: SelectNode, options?: CompileOptions): boolean {
    return !this.tagged(node, options);
  }

  override read(
    select: SelectNode,
    rows: readonly Record<string, unknown>[],
    decode: Decoder,
    protos: Prototypes | undefined,
    options?: CompileOptions,
  ): object[] {
    if (!this.tagged(select, options)) return super.read(select, rows, decode, protos, options);
    if (rows.length === 0) return [];
    const branches = branchesOf(select);
    const joins = this.joinsAt(branches, select);
    let joined = this.keptJoined(select.items, joins);
    if (joined === undefined) {
      let found: Set<SelectItem> | undefined;
      for (const branch of branches) found = this.joinedItems(nodeOf(branch, select), branch.prefix, found);
      joined = found ?? noJoins;
      if (Object.isFrozen(select.items)) this.taggedJoined.set(select.items, { joins, joined });
    }
    return hydrateTagged(select, rows, decode, protos, joined, this.isRanked);
  }

  /** The joined many2ones of a planned-once shape's branches, by its frozen items. */
  private readonly taggedJoined = new WeakMap<object, { joins: string; joined: ReadonlySet<SelectItem> }>();

  private keptJoined(items: object, joins: string): ReadonlySet<SelectItem> | undefined {
    const kept = this.taggedJoined.get(items);
    return kept?.joins === joins ? kept.joined : undefined;
  }

  /** Column names of a planned-once shape's branches, by its frozen items. */
  private readonly namesKept = new WeakMap<object, { joins: string; names: readonly string[][] }>();

  /** Value-free pieces of the members of planned-once shapes. */
  private readonly fragments = new FragmentMemo();

  /** Whole statements of planned-once shapes, by their frozen items, then by {@link statementKey}. */
  private readonly statements = new WeakMap<object, Map<string, string>>();

  /** Whether `node` is read as tagged rows: it nests a one2many / many2many, and is neither locked nor streamed. */
  private tagged(node: SelectNode, options: CompileOptions | undefined): boolean {
    return options?.streaming !== true && !node.lock && !node.distinct && node.items.some(isBranchItem);
  }

  /** Whether each branch's many2ones are joined (`j`) or not (`-`), in the read of `root`. */
  private joinsAt(branches: readonly Branch[], root: SelectNode): string {
    let key = "";
    for (const branch of branches) key += this.joinsIn(nodeOf(branch, root)) ? "j" : "-";
    return key;
  }

  /**
   * The select as one `UNION ALL` of tagged rows. For a planned-once shape rendered at the start of a
   * statement, the text is the same string each time the read's root renders alike (see
   * {@link statementKey}); its values are bound on every call all the same.
   */
  private union(root: SelectNode, ctx: CompileContext): string {
    const branches = branchesOf(root);
    // the branches, their columns and their joins follow from the root's items alone
    const joinsAt = this.joinsAt(branches, root);
    const frozen = Object.isFrozen(root.items);
    const kept = this.namesKept.get(root.items);
    let names = kept?.joins === joinsAt ? kept.names : undefined;
    if (!names) {
      names = branches.map((b, i) => this.columnNames(b.own, b.prefix, joinsAt[i] === "j"));
      if (frozen) this.namesKept.set(root.items, { joins: joinsAt, names });
    }
    const keep = frozen && ctx.alias === "t0" && ctx.aliases === 0 && ctx.params.length === 0;
    const fragment = (branch: Branch, part: string, render: () => string) =>
      this.fragments.render(root.items, `${branch.index}${part}${joinsAt}`, ctx, render);
    const rendered = { where: "", page: "" };
    let sql = "";
    for (let i = 0; i < branches.length; i++) {
      const columns = (list: string) => padded(this.host, names, i, list);
      const member = this.member(branches[i] as Branch, root, ctx, columns, joinsAt[i] === "j", fragment, rendered);
      sql += i === 0 ? `(${member})` : ` UNION ALL (${member})`;
    }
    if (!keep) return sql;
    let statements = this.statements.get(root.items);
    if (!statements) this.statements.set(root.items, (statements = new Map()));
    const key = statementKey(joinsAt, this.byIdAlone(root), singleRecord(root), rendered.where, rendered.page);
    const known = statements.get(key);
    // the same key renders the same text; only that very text is answered with the kept string (whose
    // hash the statement caches downstream already hold), never a text that differs in any way
    if (known === sql) return known;
    if (statements.size >= maxStatements) statements.clear();
    statements.set(key, sql);
    statementsKept++;
    return sql;
  }

  /**
   * One member of the union; `columns` pads the branch's own select list with the others' NULLs.
   * The root's member tells `rendered` its WHERE and page as rendered for this read.
   */
  private member(
    branch: Branch,
    root: SelectNode,
    ctx: CompileContext,
    columns: (list: string) => string,
    join: boolean,
    fragment: (branch: Branch, part: string, render: () => string) => string,
    rendered: { where: string; page: string },
  ): string {
    const h = this.host;
    const { own, item, parent } = branch;
    const node = nodeOf(branch, root);
    const tags = (b: string, p: string, n: string) =>
      branch.index === 0
        ? `${b} AS ${h.quote(tagColumns.branch)}, ${p} AS ${h.quote(tagColumns.parent)}, ${n} AS ${h.quote(tagColumns.rank)}`
        : `${b}, ${p}, ${n}`;
    const extra: JoinClause[] = [];
    if (!item || !parent) {
      let sql = fragment(branch, "r", () => {
        const list = this.selectList(own, ctx, "", extra, join);
        return `SELECT ${tags("0", "NULL", "NULL")}, ${columns(list)} FROM ${h.table(node.model)} ${ctx.alias}${renderJoins(extra)}`;
      });
      if (node.where) sql += ` WHERE ${(rendered.where = h.cond(node.where, ctx))}`;
      sql += ` ORDER BY ${this.orderBy(node.order, node.model, ctx)}`;
      rendered.page = this.page(ctx, node);
      return sql + rendered.page;
    }
    const alias = ctx.nextAlias();
    if (!this.ranked(branch, root)) {
      return ctx.scoped(alias, () => {
        const { from, key } = h.relationJoin(item.field, "", alias);
        let sql = fragment(branch, "c", () => {
          const list = this.selectList(own, ctx, branch.prefix, extra, join);
          return `SELECT ${tags(String(branch.index), key, "NULL")}, ${columns(list)} FROM ${from}${renderJoins(extra)}`;
        });
        sql += ` WHERE ${this.underParent(key, parent, root, ctx)}${node.where ? ` AND ${h.cond(node.where, ctx)}` : ""}`;
        return `${sql} ORDER BY ${this.orderBy(node.order, node.model, ctx)}${this.page(ctx, node)}`;
      });
    }
    const k = ctx.nextAlias();
    const list = ctx.scoped(alias, () => this.selectList(own, ctx, branch.prefix, extra, join));
    let sql = `SELECT ${tags(String(branch.index), `${k}.${h.quote("p")}`, `${k}.${h.quote("n")}`)}, ${columns(list)} FROM (${this.rankedIds(branch, root, ctx)}) ${k}`;
    sql += ` JOIN ${h.table(node.model)} ${alias} ON ${alias}.${h.quote("id")} = ${k}.${h.quote("id")}${renderJoins(extra)}`;
    return `${sql} WHERE ${this.rankWindow(ctx, `${k}.${h.quote("n")}`, node)}`;
  }

  /** `node`'s LIMIT / OFFSET, or a LIMIT admitting every row so a member's ORDER BY holds. */
  private page(ctx: CompileContext, node: SelectNode): string {
    return node.limit === undefined && !node.offset
      ? this.host.unboundedLimit()
      : this.host.limitOffset(ctx, node.limit, node.offset);
  }

  /** `ranked`, as the hydrator asks it (bound once, not per read). */
  private readonly isRanked = (branch: Branch, root: SelectNode): boolean => this.ranked(branch, root);

  /**
   * Whether a branch of the read of `root` limits per parent with a rank: it has a limit or offset
   * and may have several parents.
   */
  private ranked(branch: Branch, root: SelectNode): boolean {
    const { parent } = branch;
    const node = nodeOf(branch, root);
    if (node.limit === undefined && !node.offset) return false;
    return !(parent?.index === 0 && singleRecord(root));
  }

  /** `n > offset AND n <= offset + limit` for a ranked branch. */
  private rankWindow(ctx: CompileContext, n: string, node: SelectNode): string {
    const offset = node.offset ?? 0;
    const lower = `${n} > ${this.host.param(ctx, offset)}`;
    return node.limit === undefined ? lower : `${lower} AND ${n} <= ${this.host.param(ctx, offset + node.limit)}`;
  }

  /** Rows of a ranked branch: `id`, parent key `p` and rank `n` among the parent's children. */
  private rankedIds(branch: Branch, root: SelectNode, ctx: CompileContext): string {
    const h = this.host;
    const { node, item, parent } = branch as Required<Pick<Branch, "item" | "parent">> & Branch;
    return ctx.scoped(ctx.nextAlias(), () => {
      const { from, key } = h.relationJoin(item.field, "", ctx.alias);
      const rank = `ROW_NUMBER() OVER (PARTITION BY ${key} ORDER BY ${this.orderBy(node.order, node.model, ctx)})`;
      let sql = `SELECT ${ctx.alias}.${h.quote("id")} AS ${h.quote("id")}, ${key} AS ${h.quote("p")}, ${rank} AS ${h.quote("n")} FROM ${from}`;
      sql += ` WHERE ${this.underParent(key, parent, root, ctx)}`;
      return node.where ? `${sql} AND ${h.cond(node.where, ctx)}` : sql;
    });
  }

  /** Whether the root is read by its id alone (a `get` without access rules): children then match `key = id`. */
  private byIdAlone(root: SelectNode): boolean {
    const where = root.where;
    return (
      root.limit === undefined &&
      !root.offset &&
      where?.kind === "cmp" &&
      where.op === "=" &&
      where.field === root.model.id
    );
  }

  /**
   * `key` among the ids of `parent`'s records. Under a root read by its id alone that is `key = id`:
   * no subquery for the database to plan.
   */
  private underParent(key: string, parent: Branch, root: SelectNode, ctx: CompileContext): string {
    if (parent.index === 0 && this.byIdAlone(root)) {
      const where = root.where as Extract<CondNode, { kind: "cmp" }>;
      return `${key} = ${this.host.param(ctx, where.value, where.field)}`;
    }
    return `${key} IN (${this.idsOf(parent, root, ctx)})`;
  }

  /** A SELECT of the ids of the records `branch` reads (its parents' filter and limits included). */
  private idsOf(branch: Branch, root: SelectNode, ctx: CompileContext): string {
    const h = this.host;
    const { item, parent } = branch;
    const node = nodeOf(branch, root);
    const id = h.quote("id");
    const x = ctx.nextAlias();
    if (item && parent && this.ranked(branch, root)) {
      return `SELECT ${x}.${id} FROM (${this.rankedIds(branch, root, ctx)}) ${x} WHERE ${this.rankWindow(ctx, `${x}.${h.quote("n")}`, node)}`;
    }
    const paged = node.limit !== undefined || !!node.offset;
    const inner = ctx.scoped(ctx.nextAlias(), () => {
      let sql: string;
      if (item && parent) {
        const { from, key } = h.relationJoin(item.field, "", ctx.alias);
        sql = `SELECT ${ctx.alias}.${id} FROM ${from} WHERE ${this.underParent(key, parent, root, ctx)}${node.where ? ` AND ${h.cond(node.where, ctx)}` : ""}`;
      } else {
        sql = `SELECT ${ctx.alias}.${id} FROM ${h.table(node.model)} ${ctx.alias}${node.where ? ` WHERE ${h.cond(node.where, ctx)}` : ""}`;
      }
      return paged
        ? `${sql} ORDER BY ${this.orderBy(node.order, node.model, ctx)}${h.limitOffset(ctx, node.limit, node.offset)}`
        : sql;
    });
    // a LIMIT inside IN (...) is refused by MySQL and MariaDB; inside a derived table it is not
    return paged ? `SELECT ${x}.${id} FROM (${inner}) ${x}` : inner;
  }
}

/** Statements kept per shape; past this they are dropped all at once. */
const maxStatements = 32;
let statementsKept = 0;

/** How many union statements have been built and kept (a repeated read shape builds one; for tests). */
export function keptUnionStatements(): number {
  return statementsKept;
}

/**
 * What the text of a planned-once shape's union depends on beyond its items: the joins, the two
 * choices the root's values make (children under `key = id`, per-parent ranks) and the root's WHERE
 * and page as rendered (everything else is rendered from the frozen items, in the same scopes).
 */
function statementKey(joins: string, byId: boolean, single: boolean, where: string, page: string): string {
  return `${joins}${byId ? "i" : "-"}${single ? "1" : "-"}\u0000${where}\u0000${page}`;
}

/**
 * Branch `i`'s select list padded with NULLs for every other branch's columns: the first member
 * names every column; the others only fill theirs with NULL.
 */
function padded(h: NestingHost, names: readonly string[][], i: number, list: string): string {
  const pad = (from: number, to: number) => {
    let sql = "";
    for (let b = from; b < to; b++) {
      const columns = names[b] as string[];
      if (i === 0) for (const n of columns) sql += `NULL AS ${h.quote(n)}, `;
      else sql += "NULL, ".repeat(columns.length);
    }
    return sql;
  };
  const after = pad(i + 1, names.length);
  return `${pad(0, i)}${list}${after ? `, ${after.slice(0, -2)}` : ""}`;
}

/** Whether a select reads at most one record: limit 1, or its filter fixes the id to one value. */
function singleRecord(node: SelectNode): boolean {
  if (node.limit !== undefined && node.limit <= 1) return true;
  const fixesId = (cond: CondNode | undefined): boolean => {
    if (!cond) return false;
    if (cond.kind === "cmp") return cond.op === "=" && cond.field === node.model.id;
    if (cond.kind === "in") return !cond.negate && cond.values.length <= 1 && cond.field === node.model.id;
    return cond.kind === "and" && cond.items.some(fixesId);
  };
  return fixesId(node.where);
}
