import type { ModelMeta } from "../../model/model-meta.js";
import type { OrderNode, SelectItem } from "../../query/ast.js";
import type { CompileContext } from "../compile-context.js";

/** A select's `SELECT <list> FROM <table> t0 <joins>`, as rendered for its (frozen) items. */
interface Head {
  readonly model: ModelMeta;
  readonly join: boolean;
  readonly sql: string;
  /** Aliases the head names (`t1`...): handed out again on each use, so what follows is numbered alike. */
  readonly aliases: number;
  /** Values the head binds (a nested page's limit): constants of the shape, bound again on each use. */
  readonly params: readonly unknown[];
  /** Whole statements by what follows the head: a repeated statement is the same string. */
  readonly statements: Map<string, string>;
}

/** An ORDER BY list as rendered for one frozen order, model and alias. */
interface OrderText {
  readonly model: ModelMeta;
  readonly alias: string;
  readonly sql: string;
}

/** Statements kept per head; past this they are dropped all at once. */
const maxStatements = 32;
let headsRendered = 0;
let fragmentsRendered = 0;

/** How many select heads have been rendered and kept (a repeated read shape is rendered once; for tests). */
export function renderedHeads(): number {
  return headsRendered;
}

/** How many pieces of union members have been rendered and kept (for tests). */
export function renderedFragments(): number {
  return fragmentsRendered;
}

/**
 * The parts of a select's SQL that depend on its shape alone, kept per compiler (so per dialect and
 * options) for selects planned once per shape (`planReadShaped`): their items and order lists are
 * frozen, so the same list is the same shape. A list that is not frozen (a select core built, one the
 * access step rewrote) is rendered every time. A head's values can only come from those frozen items
 * (a nested page's limit): they are kept with it and bound again. An ORDER BY is kept only when it
 * bound no value.
 */
export class ShapeMemo {
  private readonly heads = new WeakMap<readonly SelectItem[], Head>();
  private readonly orders = new WeakMap<readonly OrderNode[], OrderText>();

  /**
   * The head of a root select with `items`, rendered by `render` unless kept. Only at the very start of
   * a statement (alias `t0`, no alias handed out, no value bound): where the head is always the same.
   */
  head(
    items: readonly SelectItem[],
    model: ModelMeta,
    join: boolean,
    ctx: CompileContext,
    render: () => string,
  ): { readonly sql: string; readonly kept?: Head } {
    if (!Object.isFrozen(items) || ctx.alias !== "t0" || ctx.aliases !== 0 || ctx.params.length !== 0)
      return { sql: render() };
    const known = this.heads.get(items);
    if (known && known.model === model && known.join === join) {
      ctx.skipAliases(known.aliases);
      for (const value of known.params) ctx.params.push(value);
      return { sql: known.sql, kept: known };
    }
    const sql = render();
    // values of the frozen items only; an object (a date, a buffer) is not shared between calls
    if (ctx.params.some((p) => typeof p === "object" || typeof p === "function")) return { sql };
    const kept: Head = { model, join, sql, aliases: ctx.aliases, params: [...ctx.params], statements: new Map() };
    this.heads.set(items, kept);
    headsRendered++;
    return { sql, kept };
  }

  /** The whole statement `head.sql + tail`: the same string for the same tail. */
  statement(head: Head, tail: string): string {
    const known = head.statements.get(tail);
    if (known !== undefined) return known;
    const sql = head.sql + tail;
    if (head.statements.size >= maxStatements) head.statements.clear();
    head.statements.set(tail, sql);
    return sql;
  }

  /** `order` rendered by `render` in the current scope, unless kept; kept only when it bound no value and named no alias. */
  order(order: readonly OrderNode[], model: ModelMeta, ctx: CompileContext, render: () => string): string {
    if (!Object.isFrozen(order)) return render();
    const known = this.orders.get(order);
    if (known && known.model === model && known.alias === ctx.alias) return known.sql;
    const params = ctx.params.length;
    const aliases = ctx.aliases;
    const sql = render();
    if (ctx.params.length === params && ctx.aliases === aliases)
      this.orders.set(order, { model, alias: ctx.alias, sql });
    return sql;
  }
}

/** A piece of SQL inside a statement, as rendered for one frozen list at one point of the statement. */
interface Fragment {
  readonly sql: string;
  readonly aliases: number;
  readonly params: readonly unknown[];
}

/**
 * Pieces of SQL rendered for a frozen list (see {@link ShapeMemo}) at a given point of a statement:
 * the same list, alias, aliases handed out and values bound so far (and the caller's `at`) render the
 * same text, hand out the same aliases and bind the same constant values, which are kept with it.
 */
export class FragmentMemo {
  private readonly kept = new WeakMap<object, Map<string, Fragment>>();

  render(list: object, at: string, ctx: CompileContext, render: () => string): string {
    if (!Object.isFrozen(list)) return render();
    const key = `${at}|${ctx.alias}|${ctx.aliases}|${ctx.params.length}|${ctx.options.streaming === true}`;
    let map = this.kept.get(list);
    const known = map?.get(key);
    if (known) {
      ctx.skipAliases(known.aliases);
      for (const value of known.params) ctx.params.push(value);
      return known.sql;
    }
    const aliases = ctx.aliases;
    const params = ctx.params.length;
    const sql = render();
    const bound = ctx.params.slice(params);
    if (bound.some((p) => typeof p === "object" || typeof p === "function")) return sql;
    if (!map) this.kept.set(list, (map = new Map()));
    if (map.size >= maxStatements) map.clear();
    map.set(key, { sql, aliases: ctx.aliases - aliases, params: bound });
    fragmentsRendered++;
    return sql;
  }
}
