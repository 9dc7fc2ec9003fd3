import { bindingOf } from "../model/binding.js";
import type { ModelMeta } from "../model/model-meta.js";
import type { FieldsOf, ModelType, NestedSpec } from "../model/types.js";
import { type AggregateResult, type AggregateSpec, type QueryState, assertUnsliced } from "./query-set-types.js";

/**
 * A query set grouped by some fields: `aggregate` returns one row per group.
 *
 * @example
 * await ChatMessage.query().groupBy("chat_id").having([["n", ">", 10]]).orderBy("-n").aggregate({ n: ["id", "count"] });
 */
export class GroupedQuerySet<M extends ModelType, G extends readonly string[]> {
  constructor(
    private readonly model: ModelMeta,
    private readonly state: QueryState,
    /** The class the query set came from (see `QuerySet`). */
    private readonly via?: unknown,
  ) {}

  private with(patch: Partial<QueryState>): GroupedQuerySet<M, G> {
    return new GroupedQuerySet(this.model, { ...this.state, ...patch }, this.via);
  }

  /** Conditions on aggregates, ANDed: `having([["n", ">", 2]])`. */
  having(
    conditions: readonly (readonly [string, "=" | "!=" | ">" | ">=" | "<" | "<=", unknown])[],
  ): GroupedQuerySet<M, G> {
    assertUnsliced(this.state, "having");
    return this.with({ having: [...(this.state.having ?? []), ...conditions] });
  }

  /** Orders groups by keys or aggregate aliases (`"-n"`). */
  orderBy(...terms: string[]): GroupedQuerySet<M, G> {
    assertUnsliced(this.state, "orderBy");
    return this.with({ order: terms });
  }

  /** Nests a many2one group key to return its display fields. */
  nested(spec: NestedSpec<FieldsOf<M>>): GroupedQuerySet<M, G> {
    return this.with({ nested: spec as Record<string, unknown> });
  }

  /** At most `n` groups. */
  limit(n: number): GroupedQuerySet<M, G> {
    return this.with({ limit: n });
  }

  /** Skips the first `n` groups. */
  offset(n: number): GroupedQuerySet<M, G> {
    return this.with({ offset: n });
  }

  /** One row per group: the group keys and the aggregates. */
  async aggregate<const A extends AggregateSpec<FieldsOf<M>>>(
    spec: A,
  ): Promise<({ [K in G[number] & keyof FieldsOf<M>]: unknown } & AggregateResult<FieldsOf<M>, A>)[]> {
    const s = this.state;
    const binding = bindingOf(this.model, this.via);
    const run = () =>
      binding.aggregate(this.model, {
        filter: s.filter,
        groupBy: s.groupBy,
        nested: s.nested,
        aggregates: spec,
        having: s.having,
        order: s.order,
        limit: s.limit,
        offset: s.offset,
      });
    return (await (s.timeout === undefined ? run() : binding.within(s.timeout, run))) as never;
  }
}
