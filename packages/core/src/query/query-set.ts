import { QueryError, RecordNotFound } from "../errors.js";
import type { FieldKey, FieldsOf, IdOf, ModelType, NestedSpec, RelationKeys } from "../model/types.js";
import type { Filter } from "./filter-types.js";
import { GroupedQuerySet } from "./grouped-query-set.js";
import { lookupsToFilter } from "./lookups.js";
import { checkLock } from "./plan-read.js";
import { checkCacheOption } from "./cache-option.js";
import { QueryReads } from "./query-reads.js";
import type {
  AnnotationLookups,
  AnnotationResult,
  AnnotationSpec,
  CheckedTerm,
  LockOptions,
  Lookups,
  OrderTerm,
  QueryState,
  Row,
  UpdateWithRefs,
} from "./query-set-types.js";
import { MultipleRecordsFound, assertUnsliced, bulkIds, flip, sliceSize } from "./query-set-types.js";
import { shown } from "../model/shown.js";

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
export class QuerySet<M extends ModelType, O = {}, X = {}> extends QueryReads<M, O, X> {
  private with(patch: Partial<QueryState>): QuerySet<M, O, X> {
    return new QuerySet(this.model, { ...this.state, ...patch }, this.via);
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
  orderBy<const T extends readonly string[]>(
    ...terms: T & { readonly [I in keyof T]: CheckedTerm<T[I], OrderTerm<M, X>> }
  ): QuerySet<M, O, X> {
    assertUnsliced(this.state, "orderBy");
    if (!terms.every((t) => typeof t === "string"))
      throw new QueryError('orderBy takes field names, "-name" for descending');
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
    return this.state.order
      ? this.with({ order: flip(this.state.order) })
      : this.with({ reversed: !this.state.reversed });
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
  only<const K extends readonly FieldKey<FieldsOf<M>>[]>(
    ...fields: K
  ): QuerySet<M, Omit<O, "fields"> & { fields: K }, X> {
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
  prefetch<const K extends readonly RelationKeys<FieldsOf<M>>[]>(
    ...names: K
  ): QuerySet<
    M,
    Omit<O, "nested"> & { nested: (O extends { nested: infer N } ? N : {}) & { [P in K[number]]: readonly [] } },
    X
  > {
    const bad = names.find((n) => typeof n !== "string");
    if (bad !== undefined || names.length === 0)
      throw new QueryError(`prefetch() takes relation field names, e.g. prefetch("messages", "creator_id")`);
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
    if (typeof ms !== "number" || !Number.isSafeInteger(ms) || ms <= 0)
      throw new QueryError(`timeout() takes a positive whole number of milliseconds, got ${shown(ms)}`, "timeout");
    return this.with({ timeout: ms });
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
    if (typeof spec !== "object" || spec === null || Array.isArray(spec))
      throw new QueryError('annotate() takes { alias: ["relation", "count"] }');
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
  async inBulk(ids: readonly IdOf<M>[]): Promise<Map<IdOf<M>, Row<M, O, X>>> {
    assertUnsliced(this.state, "inBulk");
    const list = bulkIds(this.model, ids);
    if (list.length === 0) return new Map();
    const rows = await this.refine("inBulk", ["id", "in", list]).rows();
    return new Map(rows.map((r) => [(r as { id: IdOf<M> }).id, r]));
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
    if (fields.length > 0)
      throw new QueryError('distinct() takes no fields: list them in values(), e.g. distinct().values("stage_id")');
    return this.with({ distinct: true });
  }

  /**
   * Updates every matching record in one statement; returns the count. A value may be an `F()`
   * expression, computed by the database in the same statement (no read-modify-write race).
   *
   * @example
   * await Post.query().filter({ id: 7 }).update({ views: F("views").add(1) });
   */
  update(
    values: UpdateWithRefs<M extends { updateMany(t: never, v: infer V): unknown } ? V : object, FieldsOf<M>>,
    options?: { hooks?: boolean },
  ): Promise<number> {
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
}

export { GroupedQuerySet } from "./grouped-query-set.js";
export { QueryReads } from "./query-reads.js";
export { MultipleRecordsFound } from "./query-set-types.js";
export type {
  AggregateResult,
  AggregateSpec,
  AnnotationResult,
  AnnotationSpec,
  LockOptions,
  Lookups,
  LookupValue,
  Page,
  UpdateWithRefs,
} from "./query-set-types.js";
