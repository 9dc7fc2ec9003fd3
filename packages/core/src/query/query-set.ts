import { DotormError, QueryError, RecordNotFound } from "../errors.js";
import { bindingOf } from "../model/binding.js";
import type { ModelMeta } from "../model/model-meta.js";
import type { FieldKey, FieldsOf, FieldValue, ModelType, NestedSpec, ResultOf } from "../model/types.js";
import type { Filter } from "./filter-types.js";
import type { Lookup } from "./lookups.js";
import { lookupsToFilter } from "./lookups.js";
import type { AggregateFn } from "./ast.js";

/** `get()` on a query set matched several records. */
export class MultipleRecordsFound extends DotormError {
  override readonly code = "MULTIPLE_RECORDS";
  constructor(readonly model: string) {
    super(`${model}: get() matched more than one record; add conditions or use first()`);
  }
}

type RelKeys<F> = { [K in keyof F]: F[K] extends { target: unknown } ? K : never }[keyof F] & string;

/** Keyword lookups of `filter`, `exclude` and `get`: `name__icontains`, `creator_id__name`, ... */
export type Lookups<F> = {
  [K in FieldKey<F> | `${FieldKey<F>}__${Lookup}` | `${RelKeys<F>}__${string}`]?: unknown;
};

/** `{ alias: [field, fn] }` for `aggregate`. */
export type AggregateSpec<F> = Record<string, readonly [FieldKey<F>, AggregateFn]>;

type AggValue<Fd, Fn> = Fn extends "count" | "count_distinct"
  ? number
  : Fd extends { kind: "decimal" }
    ? string | null
    : Fn extends "min" | "max"
      ? Exclude<FieldValue<Fd>, null> | null
      : number | null;

/** The typed result of an aggregate spec. */
export type AggregateResult<F, A> = { [K in keyof A]: A[K] extends readonly [infer N, infer Fn] ? (N extends keyof F ? AggValue<F[N], Fn> : Fn extends "count" | "count_distinct" ? number : number | null) : never };

/** A page of keyset pagination; pass `cursor` as `after` for the next one (null on the last page). */
export interface Page<R> {
  data: R[];
  cursor: string | null;
}

/** Internal state of a query set (every method returns a new one). */
interface State {
  readonly filter: readonly unknown[];
  readonly order?: readonly string[];
  readonly limit?: number;
  readonly offset?: number;
  readonly fields?: readonly string[];
  readonly nested?: Record<string, unknown>;
  readonly groupBy?: readonly string[];
  readonly having?: readonly unknown[];
}

/**
 * An immutable, chainable, awaitable query over a model, compiled to the same AST as `search`,
 * so validation and access control apply unchanged.
 *
 * @example
 * const open = await Chat.query().filter({ name__icontains: "gen" }).exclude({ is_archived: true }).orderBy("-id").limit(20);
 * const n = await Chat.query().filter({ creator_id__name: "Ann" }).count();
 */
export class QuerySet<M extends ModelType, O = {}> implements PromiseLike<ResultOf<M, O>[]> {
  constructor(
    private readonly model: ModelMeta,
    private readonly state: State = { filter: [] },
  ) {}

  private with(patch: Partial<State>): QuerySet<M, O> {
    return new QuerySet(this.model, { ...this.state, ...patch });
  }

  /** Keeps records matching every lookup. */
  filter(lookups: Lookups<FieldsOf<M>>): QuerySet<M, O> {
    return this.with({ filter: [...this.state.filter, lookupsToFilter(this.model, lookups)] });
  }

  /** Drops records matching all the lookups. */
  exclude(lookups: Lookups<FieldsOf<M>>): QuerySet<M, O> {
    return this.with({ filter: [...this.state.filter, ["not", lookupsToFilter(this.model, lookups)]] });
  }

  /** Keeps records matching a filter list (the `search` syntax). */
  where(filter: Filter<FieldsOf<M>>): QuerySet<M, O> {
    return this.with({ filter: [...this.state.filter, filter] });
  }

  /** Orders by fields; a leading `-` sorts descending: `orderBy("-created_at", "name")`. */
  orderBy(...terms: (FieldKey<FieldsOf<M>> | `-${FieldKey<FieldsOf<M>>}` | (string & {}))[]): QuerySet<M, O> {
    return this.with({ order: terms });
  }

  limit(n: number): QuerySet<M, O> {
    return this.with({ limit: n });
  }

  offset(n: number): QuerySet<M, O> {
    return this.with({ offset: n });
  }

  /** Loads only these fields (plus id). */
  only<const K extends readonly FieldKey<FieldsOf<M>>[]>(...fields: K): QuerySet<M, Omit<O, "fields"> & { fields: K }> {
    return this.with({ fields: fields }) as never;
  }

  /** Loads relations as nested objects, as `search`'s `nested`. */
  nested<const N extends NestedSpec<FieldsOf<M>>>(spec: N): QuerySet<M, Omit<O, "nested"> & { nested: N }> {
    return this.with({ nested: spec as Record<string, unknown> }) as never;
  }

  /** Groups the next `aggregate` by these fields (a nested many2one returns its display fields). */
  groupBy<const G extends readonly FieldKey<FieldsOf<M>>[]>(...fields: G): GroupedQuerySet<M, G> {
    return new GroupedQuerySet<M, G>(this.model, { ...this.state, groupBy: fields });
  }

  private get orderString(): string | undefined {
    return this.state.order?.map((t) => (t.startsWith("-") ? `${t.slice(1)} desc` : `${t} asc`)).join(", ");
  }

  private searchOptions(patch: Record<string, unknown> = {}) {
    return {
      filter: this.state.filter,
      fields: this.state.fields,
      nested: this.state.nested,
      order: this.orderString,
      limit: this.state.limit,
      offset: this.state.offset,
      ...patch,
    };
  }

  /** Runs the query. */
  async all(): Promise<ResultOf<M, O>[]> {
    return (await bindingOf(this.model).search(this.model, this.searchOptions())) as ResultOf<M, O>[];
  }

  // biome-ignore lint/suspicious/noThenProperty: a query set is awaitable by design (`await Chat.query()`)
  then<R1 = ResultOf<M, O>[], R2 = never>(
    onfulfilled?: ((value: ResultOf<M, O>[]) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.all().then(onfulfilled, onrejected);
  }

  /** The first record in order, or null. */
  async first(): Promise<ResultOf<M, O> | null> {
    const [row] = (await bindingOf(this.model).search(this.model, this.searchOptions({ limit: 1 }))) as ResultOf<M, O>[];
    return row ?? null;
  }

  /** The last record in order (by querying the reversed order, not by fetching everything), or null. */
  async last(): Promise<ResultOf<M, O> | null> {
    const order = this.state.order ?? ["id"];
    const reversed = order.map((t) => (t.startsWith("-") ? `${t.slice(1)} asc` : `${t} desc`)).join(", ");
    const tie = order.some((t) => t.replace(/^-/, "") === "id") ? "" : ", id desc";
    const [row] = (await bindingOf(this.model).search(this.model, this.searchOptions({ order: reversed + tie, limit: 1, offset: undefined }))) as ResultOf<M, O>[];
    return row ?? null;
  }

  /** The one record matching; `RecordNotFound` when none, `MultipleRecordsFound` when several. */
  async get(lookups?: Lookups<FieldsOf<M>>): Promise<ResultOf<M, O>> {
    const qs = lookups ? this.filter(lookups) : this;
    const rows = (await bindingOf(this.model).search(this.model, qs.searchOptions({ limit: 2 }))) as ResultOf<M, O>[];
    if (rows.length === 0) throw new RecordNotFound(this.model.table, lookups ?? qs.state.filter);
    if (rows.length > 1) throw new MultipleRecordsFound(this.model.table);
    return rows[0] as ResultOf<M, O>;
  }

  /** How many records match (limit and offset ignored). */
  count(): Promise<number> {
    return bindingOf(this.model).count(this.model, { filter: this.state.filter }, false);
  }

  /** Whether any record matches. */
  async exists(): Promise<boolean> {
    return (await bindingOf(this.model).count(this.model, { filter: this.state.filter }, true)) > 0;
  }

  /** Plain objects instead of records (no methods), optionally only some fields. */
  async values<const K extends readonly FieldKey<FieldsOf<M>>[]>(...fields: K): Promise<Record<string, unknown>[]> {
    const rows = await bindingOf(this.model).search(this.model, this.searchOptions(fields.length ? { fields } : {}));
    return rows.map(plain) as Record<string, unknown>[];
  }

  private assertUnsliced(what: string): void {
    if (this.state.limit !== undefined || this.state.offset !== undefined) {
      throw new QueryError(`${what}() cannot run on a query set with limit/offset; filter by ids instead`);
    }
  }

  /** Updates every matching record in one statement; returns the count. */
  update(values: Parameters<M extends { updateMany(t: never, v: infer V): unknown } ? (v: V) => void : (v: object) => void>[0]): Promise<number> {
    this.assertUnsliced("update");
    return bindingOf(this.model).update(this.model, this.state.filter, values as object);
  }

  /** Deletes every matching record in one statement; returns the count. */
  delete(): Promise<number> {
    this.assertUnsliced("delete");
    return bindingOf(this.model).delete(this.model, this.state.filter);
  }

  /** Aggregates over the matching records: `{ n: ["id", "count"], total: ["amount", "sum"] }`. */
  async aggregate<const A extends AggregateSpec<FieldsOf<M>>>(spec: A): Promise<AggregateResult<FieldsOf<M>, A>> {
    const [row] = await bindingOf(this.model).aggregate(this.model, { filter: this.state.filter, aggregates: spec });
    return row as AggregateResult<FieldsOf<M>, A>;
  }

  /** The database's plan for this query. */
  explain(): Promise<string> {
    return bindingOf(this.model).explain(this.model, this.searchOptions());
  }

  /**
   * Streams matching records in batches from a server-side cursor (or the driver's stream), so
   * memory stays bounded however many rows match.
   *
   * @example
   * for await (const lead of Lead.query().filter({ stage__code: "won" }).stream({ batchSize: 500 })) send(lead);
   */
  stream(options: { batchSize?: number } = {}): AsyncIterable<ResultOf<M, O>> {
    return bindingOf(this.model).stream(this.model, this.searchOptions(), options.batchSize ?? 1000) as AsyncIterable<ResultOf<M, O>>;
  }

  /** Keyset pagination: `{ data, cursor }`; pass `cursor` as `after` for the next page. */
  paginate(options: { size: number; after?: string | null }): Promise<Page<ResultOf<M, O>>> {
    return bindingOf(this.model).paginate(this.model, this.searchOptions({ limit: undefined, offset: undefined }), options.size, options.after ?? undefined) as Promise<
      Page<ResultOf<M, O>>
    >;
  }
}

/** A query set grouped by some fields: `aggregate` returns one row per group. */
export class GroupedQuerySet<M extends ModelType, G extends readonly string[]> {
  constructor(
    private readonly model: ModelMeta,
    private readonly state: State,
  ) {}

  private with(patch: Partial<State>): GroupedQuerySet<M, G> {
    return new GroupedQuerySet(this.model, { ...this.state, ...patch });
  }

  /** Conditions on aggregates, ANDed: `having([["n", ">", 2]])`. */
  having(conditions: readonly (readonly [string, "=" | "!=" | ">" | ">=" | "<" | "<=", unknown])[]): GroupedQuerySet<M, G> {
    return this.with({ having: [...(this.state.having ?? []), ...conditions] });
  }

  /** Orders groups by keys or aggregate aliases (`"-n"`). */
  orderBy(...terms: string[]): GroupedQuerySet<M, G> {
    return this.with({ order: terms });
  }

  /** Nests a many2one group key to return its display fields. */
  nested(spec: NestedSpec<FieldsOf<M>>): GroupedQuerySet<M, G> {
    return this.with({ nested: spec as Record<string, unknown> });
  }

  limit(n: number): GroupedQuerySet<M, G> {
    return this.with({ limit: n });
  }

  offset(n: number): GroupedQuerySet<M, G> {
    return this.with({ offset: n });
  }

  /** One row per group: the group keys and the aggregates. */
  async aggregate<const A extends AggregateSpec<FieldsOf<M>>>(
    spec: A,
  ): Promise<({ [K in G[number] & keyof FieldsOf<M>]: unknown } & AggregateResult<FieldsOf<M>, A>)[]> {
    const s = this.state;
    return (await bindingOf(this.model).aggregate(this.model, {
      filter: s.filter,
      groupBy: s.groupBy,
      nested: s.nested,
      aggregates: spec,
      having: s.having,
      order: s.order,
      limit: s.limit,
      offset: s.offset,
    })) as never;
  }
}

function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== "object" || value instanceof Date || value instanceof Uint8Array) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}
