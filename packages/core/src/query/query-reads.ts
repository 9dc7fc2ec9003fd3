import { QueryError, RecordNotFound } from "../errors.js";
import { bindingOf } from "../model/binding.js";
import type { ModelMeta } from "../model/model-meta.js";
import type { FieldKey, FieldsOf, ModelType } from "../model/types.js";
import type { ExplainOptions, ExplainPlan } from "../model/explain-types.js";
import type { AggregateResult, AggregateSpec, Page, QueryState, Row, ValueKey } from "./query-set-types.js";
import { assertUnsliced, flip, plain, valuesListArgs } from "./query-set-types.js";

/**
 * The reads that end a query set (records, counts, values, aggregates, pages, streams): everything
 * that runs the query as it stands. `QuerySet` adds the chainable refinements on top.
 *
 * @example
 * const first = await Chat.query().orderBy("name").first(); // a QueryReads method
 */
export abstract class QueryReads<M extends ModelType, O = {}, X = {}> implements PromiseLike<Row<M, O, X>[]> {
  constructor(
    protected readonly model: ModelMeta,
    protected readonly state: QueryState = { filter: [] },
    /** The class the query set came from: a `db.model(M)` class pins the database it runs on. */
    protected readonly via?: unknown,
  ) {}

  /** The database this query set runs on. */
  protected get binding() {
    return bindingOf(this.model, this.via);
  }

  /** Runs `fn` under the query set's `timeout`, if it has one. */
  protected bounded<T>(fn: () => Promise<T>): Promise<T> {
    return this.state.timeout === undefined ? fn() : this.binding.within(this.state.timeout, fn);
  }

  protected orderString(order = this.state.order): string | undefined {
    return order?.map((t) => (t.startsWith("-") ? `${t.slice(1)} desc` : `${t} asc`)).join(", ");
  }

  protected searchOptions(patch: Record<string, unknown> = {}) {
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

  protected async rows(patch: Record<string, unknown> = {}): Promise<Row<M, O, X>[]> {
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
  protected within(n: number): number {
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
    const reversed = this.state.order
      ? { order: this.orderString(flip(this.state.order)) }
      : { sort: this.state.reversed ? undefined : "desc" };
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

  protected async extreme(what: string, fields: readonly string[], desc: boolean): Promise<Row<M, O, X>> {
    assertUnsliced(this.state, what);
    if (fields.length === 0) throw new QueryError(`${what}() takes the field to compare, e.g. ${what}("created_at")`);
    const order = [...fields, "id"].map((f) => (desc ? `-${f}` : f));
    const [row] = await this.rows({ order: this.orderString(order), limit: 1 });
    if (!row) throw new RecordNotFound(this.model.table, `${what}(${fields.join(", ")})`);
    return row;
  }

  /** How many records match (of the slice, when sliced). */
  async count(): Promise<number> {
    if (this.state.none) return 0;
    const total = await this.bounded(() =>
      this.binding.count(
        this.model,
        { filter: this.state.filter, annotations: this.state.annotations, cache: this.state.cache },
        false,
      ),
    );
    const { limit, offset = 0 } = this.state;
    return Math.max(0, Math.min(limit ?? Number.POSITIVE_INFINITY, total - offset));
  }

  /**
   * The records of the slice and how many records match in all (the slice aside, unlike `count()`):
   * a page with its total, in one statement where the database allows (see the model's `searchAndCount`).
   *
   * @example
   * const { data, total } = await Lead.query().filter({ stage__code: "won" }).orderBy("name").offset(100).limit(50).searchAndCount();
   */
  async searchAndCount(): Promise<{ data: Row<M, O, X>[]; total: number }> {
    if (this.state.none) return { data: [], total: 0 };
    const options = this.searchOptions();
    return (await this.bounded(() => this.binding.searchAndCount(this.model, options))) as {
      data: Row<M, O, X>[];
      total: number;
    };
  }

  /** Whether any record matches (in the slice, when sliced). */
  async exists(): Promise<boolean> {
    if (this.state.none) return false;
    if (this.state.limit !== undefined || this.state.offset !== undefined) return (await this.count()) > 0;
    return (
      (await this.bounded(() =>
        this.binding.count(
          this.model,
          { filter: this.state.filter, annotations: this.state.annotations, cache: this.state.cache },
          true,
        ),
      )) > 0
    );
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

  /** Aggregates over the matching records: `{ n: ["id", "count"], total: ["amount", "sum"] }`. */
  async aggregate<const A extends AggregateSpec<FieldsOf<M>>>(spec: A): Promise<AggregateResult<FieldsOf<M>, A>> {
    assertUnsliced(this.state, "aggregate");
    const [row] = await this.bounded(() =>
      this.binding.aggregate(this.model, { filter: this.state.filter, aggregates: spec, cache: this.state.cache }),
    );
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
    return this.binding.stream(this.model, this.searchOptions(), options.batchSize ?? 1000) as AsyncIterable<
      Row<M, O, X>
    >;
  }

  /** Keyset pagination: `{ data, cursor }`; pass `cursor` as `after` for the next page. */
  async paginate(options: { size: number; after?: string | null }): Promise<Page<Row<M, O, X>>> {
    assertUnsliced(this.state, "paginate");
    return (await this.bounded(() =>
      this.binding.paginate(this.model, this.searchOptions(), options.size, options.after ?? undefined),
    )) as Page<Row<M, O, X>>;
  }
}
