import { QueryError, RecordNotFound } from "../errors.js";
import { bindingOf } from "../model/binding.js";
import type { ModelMeta } from "../model/model-meta.js";
import type { FieldKey, FieldsOf, ModelType, NestedSpec, RelationKeys } from "../model/types.js";
import type { Filter } from "./filter-types.js";
import { GroupedQuerySet } from "./grouped-query-set.js";
import { lookupsToFilter } from "./lookups.js";
import { checkLock } from "./plan-read.js";
import { checkCacheOption } from "../insight/cache-option.js";
import type { ExplainOptions, ExplainPlan } from "../insight/explain-plan.js";
import type { AggregateResult, AggregateSpec, AnnotationLookups, AnnotationResult, AnnotationSpec, CheckedTerm, LockOptions, Lookups, OrderTerm, Page, QueryState, Row, UpdateWithRefs, ValueKey } from "./query-set-types.js";
import { MultipleRecordsFound, assertUnsliced, bulkIds, flip, plain, sliceSize, valuesListArgs } from "./query-set-types.js";

/**
 * An immutable, chainable, awaitable query over a model, compiled to the same AST as `search`,
 * so validation and access control apply unchanged. `limit()` / `offset()` take a slice: calls that
 * would change which rows the slice holds (`filter`, `orderBy`, `reverse`, `last`, ...) must come
 * before them and raise a `QueryError` after.
 *
 * @example
 * const open = await Chat.query().filter({ name__icontains: "gen" }).exclude({ is_archived: true }).orderBy("-id").limit(20);
 * const n = await Chat.query().filter({ creator_id__name: "Ann" }).count();
 */
export class QuerySet<M extends ModelType, O = {}, X = {}> implements PromiseLike<Row<M, O, X>[]> {
  constructor(
    private readonly model: ModelMeta,
    private readonly state: QueryState = { filter: [] },
    /** The class the query set came from: a `db.model(M)` class pins the database it runs on. */
    private readonly via?: unknown,
  ) {}

  private with(patch: Partial<QueryState>): QuerySet<M, O, X> {
    return new QuerySet(this.model, { ...this.state, ...patch }, this.via);
  }

  /** The database this query set runs on. */
  private get binding() {
    return bindingOf(this.model, this.via);
  }

  private refine(what: string, item: unknown): QuerySet<M, O, X> {
    assertUnsliced(this.state, what);
    return this.with({ filter: [...this.state.filter, item] });
  }

  /** Keeps records matching every lookup. */
  filter(lookups: Lookups<FieldsOf<M>> & AnnotationLookups<X>): QuerySet<M, O, X> {
    return this.refine("filter", lookupsToFilter(this.model, lookups));
  }

  /** Drops records matching all the lookups. */
  exclude(lookups: Lookups<FieldsOf<M>> & AnnotationLookups<X>): QuerySet<M, O, X> {
    return this.refine("exclude", ["not", lookupsToFilter(this.model, lookups)]);
  }

  /** Keeps records matching a filter list (the `search` syntax). */
  where(filter: Filter<FieldsOf<M>>): QuerySet<M, O, X> {
    return this.refine("where", filter);
  }

  /**
   * Matches nothing: reads return no rows (or null, 0, false) without sending any SQL.
   *
   * @example
   * const qs = allowed ? Chat.query() : Chat.query().none();
   */
  none(): QuerySet<M, O, X> {
    return this.with({ none: true, filter: [...this.state.filter, ["id", "in", []]] });
  }

  /**
   * Orders by fields; a leading `-` sorts descending: `orderBy("-created_at", "name")`. A literal term
   * must name a field, a many2one path or an annotation (a misspelt one does not compile); a term
   * typed only as `string` is checked when the query runs.
   */
  orderBy<const T extends readonly string[]>(...terms: T & { readonly [I in keyof T]: CheckedTerm<T[I], OrderTerm<M, X>> }): QuerySet<M, O, X> {
    assertUnsliced(this.state, "orderBy");
    if (!terms.every((t) => typeof t === "string")) throw new QueryError('orderBy takes field names, "-name" for descending');
    return this.with({ order: terms, reversed: undefined });
  }

  /**
   * Reverses the order (without `orderBy`, the model's default order, else id).
   *
   * @example
   * const newest = await Chat.query().orderBy("created_at").reverse().limit(10);
   */
  reverse(): QuerySet<M, O, X> {
    assertUnsliced(this.state, "reverse");
    return this.state.order ? this.with({ order: flip(this.state.order) }) : this.with({ reversed: !this.state.reversed });
  }

  /** At most `n` records (a slice: see the class comment). */
  limit(n: number): QuerySet<M, O, X> {
    return this.with({ limit: sliceSize("limit", n) });
  }

  /** Skips the first `n` records (a slice: see the class comment). */
  offset(n: number): QuerySet<M, O, X> {
    return this.with({ offset: sliceSize("offset", n) });
  }

  /** Loads only these fields (plus id). */
  only<const K extends readonly FieldKey<FieldsOf<M>>[]>(...fields: K): QuerySet<M, Omit<O, "fields"> & { fields: K }, X> {
    return this.with({ fields: fields }) as never;
  }

  /** Loads relations as nested objects, as `search`'s `nested`. */
  nested<const N extends NestedSpec<FieldsOf<M>>>(spec: N): QuerySet<M, Omit<O, "nested"> & { nested: N }, X> {
    return this.with({ nested: spec as Record<string, unknown> }) as never;
  }

  /**
   * Loads relations with the records, as Tortoise's `prefetch_related`: `prefetch("messages",
   * "creator_id")` is `nested({ messages: true, creator_id: true })` (their default fields), in the
   * same single statement on PostgreSQL and MySQL, one per relation level on ClickHouse.
   *
   * @example
   * const chats = await Chat.query().prefetch("messages", "creator_id").limit(20); chats[0].creator_id.name;
   */
  prefetch<const K extends readonly RelationKeys<FieldsOf<M>>[]>(...names: K): QuerySet<M, Omit<O, "nested"> & { nested: (O extends { nested: infer N } ? N : {}) & { [P in K[number]]: readonly [] } }, X> {
    const bad = names.find((n) => typeof n !== "string");
    if (bad !== undefined || names.length === 0) throw new QueryError(`prefetch() takes relation field names, e.g. prefetch("messages", "creator_id")`);
    const nested = { ...this.state.nested };
    for (const name of names) nested[name] ??= true;
    return this.with({ nested }) as never;
  }

  /**
   * Locks the rows this query reads until the transaction ends (`SELECT ... FOR UPDATE`), for
   * read-modify-write: another transaction's `forUpdate()` waits, skips them (`skipLocked`) or
   * fails at once (`noWait`). Only inside `db.transaction` (else `QueryError`); `UnsupportedError`
   * on a database without row locks (ClickHouse).
   *
   * @example
   * await db.transaction(async () => {
   *   const job = await Job.query().filter({ state: "queued" }).orderBy("id").forUpdate({ skipLocked: true }).first();
   *   if (job) await job.update({ state: "running" });
   * });
   */
  forUpdate(options: LockOptions = {}): QuerySet<M, O, X> {
    return this.with({ lock: checkLock(options) });
  }

  /**
   * A time limit for each call this query set runs: every statement it starts must answer within
   * `ms` milliseconds, else the call ends with a `ConnectionError` naming the limit (as `db.withTimeout`).
   *
   * @example
   * const page = await Lead.query().filter({ stage__code: "won" }).timeout(2000).limit(50);
   */
  timeout(ms: number): QuerySet<M, O, X> {
    if (typeof ms !== "number" || !Number.isSafeInteger(ms) || ms <= 0) throw new QueryError(`timeout() takes a positive whole number of milliseconds, got ${JSON.stringify(ms)}`, "timeout");
    return this.with({ timeout: ms });
  }

  /** Runs `fn` under the query set's `timeout`, if it has one. */
  private bounded<T>(fn: () => Promise<T>): Promise<T> {
    return this.state.timeout === undefined ? fn() : this.binding.within(this.state.timeout, fn);
  }

  /**
   * Adds per-row aggregates of one2many / many2many relations, computed in the same statement
   * (one correlated subquery each, under the related model's read rule): usable in `filter`,
   * `exclude`, `orderBy` and `values`, and returned on every record.
   *
   * @example
   * const busy = await Chat.query().annotate({ n_messages: ["messages", "count"] }).filter({ n_messages__gte: 10 }).orderBy("-n_messages");
   */
  annotate<const A extends AnnotationSpec<FieldsOf<M>>>(spec: A): QuerySet<M, O, X & AnnotationResult<A>> {
    assertUnsliced(this.state, "annotate");
    if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw new QueryError('annotate() takes { alias: ["relation", "count"] }');
    return this.with({ annotations: { ...this.state.annotations, ...spec } }) as never;
  }

  /**
   * Serves this query's reads (records, count, exists, pages, aggregates) from the query cache for
   * `ttl` milliseconds. Entries are keyed by the statement and its values, so sessions with other
   * access rules never share them; any write through DotORM to a table the query read drops them;
   * a transaction that wrote the table reads past the cache. `cache(false)` opts out of the model's
   * `cache` option.
   *
   * @example
   * const stages = await Stage.query().orderBy("sequence").cache({ ttl: 60_000 });
   */
  cache(option: { ttl: number } | false): QuerySet<M, O, X> {
    return this.with({ cache: checkCacheOption(option, `${this.model.table}: cache()`) ?? false });
  }

  /** Groups the next `aggregate` by these fields (a nested many2one returns its display fields). */
  groupBy<const G extends readonly FieldKey<FieldsOf<M>>[]>(...fields: G): GroupedQuerySet<M, G> {
    assertUnsliced(this.state, "groupBy");
    return new GroupedQuerySet<M, G>(this.model, { ...this.state, groupBy: fields }, this.via);
  }

  private orderString(order = this.state.order): string | undefined {
    return order?.map((t) => (t.startsWith("-") ? `${t.slice(1)} desc` : `${t} asc`)).join(", ");
  }

  private searchOptions(patch: Record<string, unknown> = {}) {
    return {
      filter: this.state.filter,
      fields: this.state.fields,
      nested: this.state.nested,
      order: this.orderString(),
      sort: this.state.order === undefined && this.state.reversed ? "desc" : undefined, // the default order, reversed
      limit: this.state.limit,
      offset: this.state.offset,
      lock: this.state.lock,
      annotations: this.state.annotations,
      cache: this.state.cache,
      ...patch,
    };
  }

  private async rows(patch: Record<string, unknown> = {}): Promise<Row<M, O, X>[]> {
    const options = this.searchOptions(patch);
    if (this.state.none || options.limit === 0) return [];
    return (await this.bounded(() => this.binding.search(this.model, options))) as Row<M, O, X>[];
  }

  /** Runs the query. */
  all(): Promise<Row<M, O, X>[]> {
    return this.rows();
  }

  // biome-ignore lint/suspicious/noThenProperty: a query set is awaitable by design (`await Chat.query()`)
  then<R1 = Row<M, O, X>[], R2 = never>(
    onfulfilled?: ((value: Row<M, O, X>[]) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.all().then(onfulfilled, onrejected);
  }

  /** The limit of a read of at most `n` rows of this query set (inside its slice). */
  private within(n: number): number {
    return Math.min(n, this.state.limit ?? n);
  }

  /** The first record in order (of the slice, when sliced), or null. */
  async first(): Promise<Row<M, O, X> | null> {
    const [row] = await this.rows({ limit: this.within(1) });
    return row ?? null;
  }

  /**
   * The last record in order (by querying the reversed order, not by fetching everything), or null.
   * Not on a sliced query set (`QueryError`, as Django): order the other way and use `first()`.
   */
  async last(): Promise<Row<M, O, X> | null> {
    assertUnsliced(this.state, "last");
    const reversed = this.state.order ? { order: this.orderString(flip(this.state.order)) } : { sort: this.state.reversed ? undefined : "desc" };
    const [row] = await this.rows({ ...reversed, limit: 1 });
    return row ?? null;
  }

  /**
   * The record with the greatest value of `fields` (ties broken by the next field, then by id);
   * `RecordNotFound` when nothing matches.
   *
   * @example
   * const newest = await ChatMessage.query().filter({ chat_id: 1 }).latest("created_at");
   */
  latest(...fields: [FieldKey<FieldsOf<M>>, ...FieldKey<FieldsOf<M>>[]]): Promise<Row<M, O, X>> {
    return this.extreme("latest", fields, true);
  }

  /** The record with the smallest value of `fields`; `RecordNotFound` when nothing matches. */
  earliest(...fields: [FieldKey<FieldsOf<M>>, ...FieldKey<FieldsOf<M>>[]]): Promise<Row<M, O, X>> {
    return this.extreme("earliest", fields, false);
  }

  private async extreme(what: string, fields: readonly string[], desc: boolean): Promise<Row<M, O, X>> {
    assertUnsliced(this.state, what);
    if (fields.length === 0) throw new QueryError(`${what}() takes the field to compare, e.g. ${what}("created_at")`);
    const order = [...fields, "id"].map((f) => (desc ? `-${f}` : f));
    const [row] = await this.rows({ order: this.orderString(order), limit: 1 });
    if (!row) throw new RecordNotFound(this.model.table, `${what}(${fields.join(", ")})`);
    return row;
  }

  /** The one record matching; `RecordNotFound` when none, `MultipleRecordsFound` when several. */
  async get(lookups?: Lookups<FieldsOf<M>>): Promise<Row<M, O, X>> {
    const row = await this.getOrNull(lookups);
    if (row === null) throw new RecordNotFound(this.model.table, lookups ?? this.state.filter);
    return row;
  }

  /**
   * The one record matching, or null when none; `MultipleRecordsFound` when several.
   *
   * @example
   * const chat = await Chat.query().getOrNull({ name: "General" });
   */
  async getOrNull(lookups?: Lookups<FieldsOf<M>>): Promise<Row<M, O, X> | null> {
    const qs = lookups ? this.filter(lookups) : this;
    const rows = await qs.rows({ limit: this.within(2) });
    if (rows.length > 1) throw new MultipleRecordsFound(this.model.table);
    return rows[0] ?? null;
  }

  /**
   * The matching records among `ids`, keyed by id (ids not found, or not visible, are absent).
   *
   * @example
   * const byId = await Chat.query().inBulk([1, 2, 3]); byId.get(2)?.name;
   */
  async inBulk(ids: readonly number[]): Promise<Map<number, Row<M, O, X>>> {
    assertUnsliced(this.state, "inBulk");
    const list = bulkIds(this.model.table, ids);
    if (list.length === 0) return new Map();
    const rows = await this.refine("inBulk", ["id", "in", list]).rows();
    return new Map(rows.map((r) => [(r as { id: number }).id, r]));
  }

  /** How many records match (of the slice, when sliced). */
  async count(): Promise<number> {
    if (this.state.none) return 0;
    const total = await this.bounded(() => this.binding.count(this.model, { filter: this.state.filter, annotations: this.state.annotations, cache: this.state.cache }, false));
    const { limit, offset = 0 } = this.state;
    return Math.max(0, Math.min(limit ?? Number.POSITIVE_INFINITY, total - offset));
  }

  /** Whether any record matches (in the slice, when sliced). */
  async exists(): Promise<boolean> {
    if (this.state.none) return false;
    if (this.state.limit !== undefined || this.state.offset !== undefined) return (await this.count()) > 0;
    return (await this.bounded(() => this.binding.count(this.model, { filter: this.state.filter, annotations: this.state.annotations, cache: this.state.cache }, true))) > 0;
  }

  /**
   * Drops repeated rows from `values()` and `valuesList()` (Django's `distinct()`): each combination
   * of the listed fields comes once, ordered by the listed fields (or by `orderBy` terms among them).
   * Records always carry their id and filters never repeat a record, so the other reads are unchanged.
   *
   * @example
   * const stages = await Lead.query().filter({ is_won: false }).distinct().values("stage_id"); // [{ stage_id: 1 }, { stage_id: 3 }]
   */
  distinct(...fields: never[]): QuerySet<M, O, X> {
    if (fields.length > 0) throw new QueryError("distinct() takes no fields: list them in values(), e.g. distinct().values(\"stage_id\")");
    return this.with({ distinct: true });
  }

  /**
   * Plain objects instead of records (no methods). With field names, exactly those keys in that
   * order, as Django's `values()` (`id` only when named); without, every field the read loads.
   *
   * @example
   * await Deal.query().orderBy("id").values("name", "amount"); // [{ name: "Acme", amount: 10 }, ...]
   */
  async values<const K extends readonly ValueKey<M, X>[]>(...fields: K): Promise<Record<string, unknown>[]> {
    const rows = await this.rows(fields.length ? { fields, distinct: this.state.distinct } : {});
    if (fields.length === 0) return rows.map(plain) as Record<string, unknown>[];
    return rows.map((row) => Object.fromEntries(fields.map((k) => [k, plain((row as Record<string, unknown>)[k])])));
  }

  /**
   * The values of `fields` as one list per record, in the order given (Django's `values_list`);
   * with one field and `{ flat: true }`, the values themselves. After `distinct()`, each combination once.
   *
   * @example
   * const names = await Chat.query().orderBy("name").valuesList("name", { flat: true }); // ["General", "Random"]
   * const pairs = await Chat.query().valuesList("id", "name");                           // [[1, "General"], [2, "Random"]]
   */
  valuesList<const K extends ValueKey<M, X>>(field: K, options: { flat: true }): Promise<unknown[]>;
  valuesList<const K extends readonly ValueKey<M, X>[]>(...fields: K): Promise<unknown[][]>;
  async valuesList(...args: unknown[]): Promise<unknown[]> {
    const { fields, flat } = valuesListArgs(args);
    const rows = await this.values(...(fields as ValueKey<M, X>[]));
    if (flat) return rows.map((r) => r[fields[0] as string]);
    return rows.map((r) => (fields.length > 0 ? fields : Object.keys(r)).map((k) => r[k]));
  }

  /**
   * Updates every matching record in one statement; returns the count. A value may be an `F()`
   * expression, computed by the database in the same statement (no read-modify-write race).
   *
   * @example
   * await Post.query().filter({ id: 7 }).update({ views: F("views").add(1) });
   */
  update(values: UpdateWithRefs<M extends { updateMany(t: never, v: infer V): unknown } ? V : object, FieldsOf<M>>, options?: { hooks?: boolean }): Promise<number> {
    assertUnsliced(this.state, "update");
    if (this.state.none) return Promise.resolve(0);
    return this.bounded(() => this.binding.updateFilter(this.model, this.state.filter, values as object, options));
  }

  /** Deletes every matching record in one statement; returns the count. `{ hooks: false }` skips the model's lifecycle hooks. */
  delete(options?: { hooks?: boolean }): Promise<number> {
    assertUnsliced(this.state, "delete");
    if (this.state.none) return Promise.resolve(0);
    return this.bounded(() => this.binding.deleteFilter(this.model, this.state.filter, options));
  }

  /** Aggregates over the matching records: `{ n: ["id", "count"], total: ["amount", "sum"] }`. */
  async aggregate<const A extends AggregateSpec<FieldsOf<M>>>(spec: A): Promise<AggregateResult<FieldsOf<M>, A>> {
    assertUnsliced(this.state, "aggregate");
    const [row] = await this.bounded(() => this.binding.aggregate(this.model, { filter: this.state.filter, aggregates: spec, cache: this.state.cache }));
    return row as AggregateResult<FieldsOf<M>, A>;
  }

  /**
   * The plan as text; with options, the normalised plan of the secured read: steps, rows, index use, `recommendations`.
   * @example const { recommendations } = await Lead.query().filter({ stage_id: 3 }).explain({ analyze: true });
   */
  explain(): Promise<string>;
  explain(options: ExplainOptions): Promise<ExplainPlan>;
  explain(options?: ExplainOptions): Promise<string | ExplainPlan> {
    return this.bounded(() => this.binding.explain(this.model, this.searchOptions(), options));
  }

  /**
   * Streams matching records in batches from a server-side cursor (or the driver's stream), so
   * memory stays bounded however many rows match.
   *
   * @example
   * for await (const lead of Lead.query().filter({ stage__code: "won" }).stream({ batchSize: 500 })) send(lead);
   */
  stream(options: { batchSize?: number } = {}): AsyncIterable<Row<M, O, X>> {
    return this.binding.stream(this.model, this.searchOptions(), options.batchSize ?? 1000) as AsyncIterable<Row<M, O, X>>;
  }

  /** Keyset pagination: `{ data, cursor }`; pass `cursor` as `after` for the next page. */
  async paginate(options: { size: number; after?: string | null }): Promise<Page<Row<M, O, X>>> {
    assertUnsliced(this.state, "paginate");
    return (await this.bounded(() => this.binding.paginate(this.model, this.searchOptions(), options.size, options.after ?? undefined))) as Page<Row<M, O, X>>;
  }
}

export { GroupedQuerySet } from "./grouped-query-set.js";
export { MultipleRecordsFound } from "./query-set-types.js";
export type { AggregateResult, AggregateSpec, AnnotationResult, AnnotationSpec, LockOptions, Lookups, LookupValue, Page, UpdateWithRefs } from "./query-set-types.js";
