import type { FieldMeta } from "../model/model-meta.js";
import type { AggregateFn, Computed, CondNode, DatePart, PathHop } from "../query/ast.js";
import type { CompileContext, RelationJoin } from "./compile-context.js";

/** The compiler hooks computed columns are rendered with. */
export interface ComputedHost {
  /** A column (or computed column) of `field` in the current scope. */
  column(ctx: CompileContext, field: FieldMeta): string;
  relationJoin(field: FieldMeta, outer: string, alias: string): RelationJoin;
  cond(node: CondNode, ctx: CompileContext): string;
  /** The dialect's expression of a date part of `expr` (a `source` column), in UTC. */
  datePart(part: DatePart, expr: string, source: FieldMeta): string;
  /** An aggregate function of `field` in the current scope. */
  aggregate(fn: AggregateFn, field: FieldMeta, ctx: CompileContext): string;
}

/**
 * Renders a computed column (see `Computed`) in the current scope: a date part, a many2one path as
 * a correlated scalar subquery per hop (NULL when a hop is empty or hidden by its read rule), or a
 * relation's aggregate as a correlated subquery, so a row never multiplies.
 */
export function renderComputed(c: Computed, ctx: CompileContext, host: ComputedHost): string {
  switch (c.kind) {
    case "datePart":
      return host.datePart(c.part, host.column(ctx, c.source), c.source);
    case "path":
      return hops(c.hops, 0, ctx, host, (inner) => host.column(inner, c.leaf));
    case "relAggregate":
      return hops([c.hop], 0, ctx, host, (inner) => host.aggregate(c.fn, c.field, inner));
  }
}

function hops(
  list: readonly PathHop[],
  i: number,
  ctx: CompileContext,
  host: ComputedHost,
  leaf: (ctx: CompileContext) => string,
): string {
  const hop = list[i];
  if (!hop) return leaf(ctx);
  const alias = ctx.nextAlias();
  const { from, correlation } = host.relationJoin(hop.via, ctx.alias, alias);
  return ctx.scoped(alias, () => {
    const value = hops(list, i + 1, ctx, host, leaf);
    const where = hop.where ? `${correlation} AND ${host.cond(hop.where, ctx)}` : correlation;
    return `(SELECT ${value} FROM ${from} WHERE ${where})`;
  });
}
