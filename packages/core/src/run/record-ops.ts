import { QueryError, UnsupportedError } from "../errors.js";
import type { ModelBinding, WriteTarget } from "../model/binding.js";
import type { ModelMeta } from "../model/model-meta.js";
import type { Id } from "../model/primary-key.js";
import type { CondNode, InsertNode } from "../query/ast.js";
import { type CreateOptions, planUpsert } from "../query/plan-upsert.js";
import { type ReadRequest, planCount, planFilter } from "../query/plan-read.js";
import { getRecord, searchRecords } from "./record-reads.js";
import { prepareCreate } from "../query/prepare-write.js";
import { secureRead } from "../access/secure-read.js";
import { secureWrite } from "../access/secure-write.js";
import { WriteScope } from "../query/write-scope.js";
import type { Runner } from "./runner.js";
import { writeRelations, relationValues } from "./relation-writes.js";
import { upsertRows } from "./upsert-rows.js";
import { activeHooks, createWithHooks } from "./write-hooks.js";
import type { HookOption } from "../model/binding.js";
import { aggregate, explain, paginate, stream } from "./query-ops.js";
import type { AggregateRequest } from "../query/plan-aggregate.js";
import { cacheFor } from "../query/cache-option.js";
import { recordPrototype } from "./bound-model.js";
import { getOrCreate } from "./get-or-create.js";
import { insertRows } from "./insert-rows.js";
import { searchAndCount } from "./search-and-count.js";
import { assertValuesWithin, assertWithin, checkYears, describe, scopeOf } from "./write-guards.js";
import { deleteScope, updateScope } from "./record-changes.js";

/** The one id of a create of one record. */
const firstId = (ids: Id[]): Id => ids[0] as Id;

/** Records per INSERT when createMany reads from an iterable. */
const createChunk = 10_000;

/** The operations models call, run through the one pipeline: plan -> access -> compile -> execute -> hydrate. */
export class RecordOps implements ModelBinding {
  constructor(private readonly db: Runner) {}

  within<T>(ms: unknown, fn: () => Promise<T>): Promise<T> {
    if (typeof ms !== "number" || !Number.isSafeInteger(ms) || ms <= 0) {
      return Promise.reject(
        new QueryError(
          `timeout must be a positive whole number of milliseconds, got ${JSON.stringify(ms) ?? String(ms)}`,
          "timeout",
        ),
      );
    }
    return this.db.within(ms, `the call's timeout (${ms} ms)`, fn);
  }

  search(model: ModelMeta, options: ReadRequest): Promise<object[]> {
    return this.onReplicaUnless(options, () => this.searchHere(model, options));
  }

  searchAndCount(model: ModelMeta, options: ReadRequest): Promise<{ data: object[]; total: number }> {
    return this.onReplicaUnless(options, () => searchAndCount(this.db, model, options ?? {}));
  }

  /** Runs `fn` on the primary when the caller passed `{ replica: false }`. */
  private onReplicaUnless<T>(options: unknown, fn: () => Promise<T>): Promise<T> {
    const replica = (options as { replica?: unknown } | undefined)?.replica;
    if (replica === undefined || replica === true) return fn();
    // a rejection, not a throw: callers of search/get/count always get a promise
    if (replica !== false)
      return Promise.reject(
        new QueryError(`the "replica" option is true or false, got ${describe(replica)}`, "replica"),
      );
    return this.db.primary(fn);
  }

  private searchHere(model: ModelMeta, options: ReadRequest): Promise<object[]> {
    return searchRecords(this.db, this.protos, model, options);
  }

  get(model: ModelMeta, id: unknown, options: ReadRequest | undefined, orNull: boolean): Promise<object | null> {
    return this.onReplicaUnless(options, () => this.getHere(model, id, options, orNull));
  }

  private getHere(
    model: ModelMeta,
    id: unknown,
    options: ReadRequest | undefined,
    orNull: boolean,
  ): Promise<object | null> {
    return getRecord(this.db, this.protos, model, id, options, orNull);
  }

  count(model: ModelMeta, options: { filter?: unknown } | undefined, exists: boolean): Promise<number> {
    return this.onReplicaUnless(options, () => this.countHere(model, options, exists));
  }

  private async countHere(
    model: ModelMeta,
    options: { filter?: unknown } | undefined,
    exists: boolean,
  ): Promise<number> {
    const node = await secureRead(planCount(model, options, exists), this.db.accessGate());
    const cache = cacheFor(model, (options as { cache?: unknown } | undefined)?.cache);
    const result = await this.db.run(node, { model: model.table, operation: exists ? "exists" : "count", cache });
    return exists ? result.rows.length : Number(result.rows[0]?.n ?? 0);
  }

  /**
   * `create` / `createMany`. Not an async function: the common case (one INSERT, no checker, hooks
   * or relations) returns the INSERT's own promise, with no promise or `await` per layer (each
   * costs a promise hook call per promise once `AsyncLocalStorage` is in use, on Node 20).
   * Failures reject, never throw.
   */
  create(
    model: ModelMeta,
    values: readonly object[] | Iterable<object> | AsyncIterable<object>,
    options?: CreateOptions & HookOption,
  ): Promise<Id[]> {
    try {
      return this.createNow(model, values, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `Model.create(values)`: {@link create} of one record, its id read in the INSERT's own reaction. */
  createOne(model: ModelMeta, values: object): Promise<Id> {
    try {
      return this.createNow(model, [values], undefined, firstId);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private createNow<R = Id[]>(
    model: ModelMeta,
    values: readonly object[] | Iterable<object> | AsyncIterable<object>,
    options?: CreateOptions & HookOption,
    pick?: (ids: Id[]) => R,
  ): Promise<R> {
    const picked = (sent: Promise<Id[]>): Promise<R> => (pick ? sent.then(pick) : (sent as Promise<R>));
    const hooks = activeHooks(model, options);
    if (hooks && Array.isArray(values) && values.length > 0) {
      if (options?.onConflict)
        throw new QueryError(
          `${model.table} has lifecycle hooks, which an upsert does not run: pass { hooks: false } to upsert without them`,
          "hooks",
        );
      return picked(
        createWithHooks(this.db, hooks, values, (rows) =>
          this.create(model, rows as object[], { ...options, hooks: false }),
        ),
      );
    }
    if (!Array.isArray(values)) {
      if (values && (Symbol.asyncIterator in values || Symbol.iterator in values))
        return picked(this.createFrom(model, values, options));
      throw new QueryError("createMany takes a list (or an iterable) of records");
    }
    if (values.length === 0) return picked(Promise.resolve([]));
    const prepared = prepareCreate(model, values);
    const years = this.db.adapter.capabilities.yearRange;
    if (years) checkYears(model, prepared.columns, prepared.rows, years);
    const relations = relationValues(model, values);
    const upsert = options?.onConflict ? planUpsert(model, options) : undefined;
    if (upsert && this.db.adapter.capabilities.uniqueConstraints === false) {
      throw new UnsupportedError(
        "upsert",
        this.db.adapter.dialect,
        "this database enforces no unique key to conflict on; search first, then create or update",
      );
    }
    const secured = secureWrite(
      { operation: "create", model, given: [...prepared.given], upsert: upsert?.update.map((f) => f.name) },
      this.db.accessGate(),
    );
    const write = (rule: CondNode | undefined): Promise<R> => {
      const batch = this.db.adapter.compiler.insertBatchSize(prepared.columns.length + 1);
      // the common case, one INSERT and nothing around it
      if (!rule && !upsert && relations.length === 0 && prepared.rows.length <= batch)
        return insertRows(this.db, model, prepared.columns, prepared.rows, undefined, pick);
      return picked(this.createChecked(model, prepared, relations, upsert, rule, batch));
    };
    // without a checker the answer is at hand: no hop
    return secured instanceof Promise ? secured.then(({ rule }) => write(rule)) : write(secured.rule);
  }

  /** A create with more than one INSERT, relations, an upsert or a row rule to hold to. */
  private async createChecked(
    model: ModelMeta,
    prepared: ReturnType<typeof prepareCreate>,
    relations: ReturnType<typeof relationValues>,
    upsert: ReturnType<typeof planUpsert> | undefined,
    rule: CondNode | undefined,
    batch: number,
  ): Promise<Id[]> {
    if (rule && !this.db.adapter.capabilities.transactions) {
      // no transaction to roll a denied row back: check the values before anything is written
      await assertValuesWithin(this.db, model, prepared, rule);
    }
    const work = async () => {
      const ids: Id[] = [];
      const created: Id[] = [];
      for (let i = 0; i < prepared.rows.length; i += batch) {
        const rows = batch >= prepared.rows.length ? prepared.rows : prepared.rows.slice(i, i + batch);
        const done = upsert ? await upsertRows(this.db, model, prepared.columns, rows, upsert, this.insert) : undefined;
        // a loop, not push(...batch): spreading a batch of a few hundred thousand ids overflows the stack
        for (const id of done?.ids ?? (await this.insert(model, prepared.columns, rows))) ids.push(id);
        if (done) for (const id of done.created) created.push(id);
      }
      if (relations.length > 0) await writeRelations(this.db, ids, relations, true);
      // with transactions a refusal here rolls the insert back; without, the values were checked above
      if (rule && this.db.adapter.capabilities.transactions)
        await assertWithin(this.db, model, upsert ? created : ids, rule, "create");
      return ids;
    };
    return this.db.atomic(work);
  }

  /**
   * createMany over an iterable or async iterable: records are taken in chunks, so memory holds
   * one chunk however many rows the source yields. All chunks are one transaction where the
   * database has transactions.
   */
  private createFrom(
    model: ModelMeta,
    source: Iterable<object> | AsyncIterable<object>,
    options?: CreateOptions & HookOption,
  ): Promise<Id[]> {
    const chunk = Math.min(createChunk, this.db.adapter.compiler.insertBatchSize(model.columns.length + 1));
    return this.db.atomic(async () => {
      const ids: Id[] = [];
      let buffer: object[] = [];
      for await (const record of source) {
        buffer.push(record);
        if (buffer.length >= chunk) {
          ids.push(...(await this.create(model, buffer, options)));
          buffer = [];
        }
      }
      if (buffer.length > 0) ids.push(...(await this.create(model, buffer, options)));
      return ids;
    });
  }

  /** One INSERT of `rows`; its new ids (see {@link insertRows}). */
  private readonly insert = (
    model: ModelMeta,
    columns: ReturnType<typeof prepareCreate>["columns"],
    rows: unknown[][],
    onConflict?: InsertNode["onConflict"],
  ): Promise<Id[]> => insertRows(this.db, model, columns, rows, onConflict);

  /** `updateMany(ids | filter, values)` and a record's `update(values)` (see {@link updateScope}). */
  update(model: ModelMeta, target: WriteTarget | Id, values: object, options?: HookOption): Promise<number> {
    try {
      return updateScope(this.db, model, scopeOf(model, target), values, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** A query set's `update(values)`: every row its filter matches (all rows for an empty filter). */
  async updateFilter(model: ModelMeta, filter: unknown, values: object, options?: HookOption): Promise<number> {
    return updateScope(this.db, model, WriteScope.filter(planFilter(model, filter)), values, options);
  }

  /** Updates the rows of a scope built inside core (bulk calls, query sets, relation commands). @internal */
  updateScope(model: ModelMeta, scope: WriteScope, values: object, options?: HookOption): Promise<number> {
    return updateScope(this.db, model, scope, values, options);
  }

  /** `deleteMany(ids | filter)` and a record's `delete()` (see {@link deleteScope}). */
  delete(model: ModelMeta, target: WriteTarget | Id, options?: HookOption): Promise<number> {
    try {
      return deleteScope(this.db, model, scopeOf(model, target), options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** A query set's `delete()`: every row its filter matches (all rows for an empty filter). */
  async deleteFilter(model: ModelMeta, filter: unknown, options?: HookOption): Promise<number> {
    return deleteScope(this.db, model, WriteScope.filter(planFilter(model, filter)), options);
  }

  /** Deletes the rows of a scope built inside core. @internal */
  deleteScope(model: ModelMeta, scope: WriteScope, options?: HookOption): Promise<number> {
    return deleteScope(this.db, model, scope, options);
  }

  getOrCreate(
    model: ModelMeta,
    values: object,
    defaults: object | undefined,
    update: boolean,
  ): Promise<[object, boolean]> {
    return getOrCreate(this.db, this, model, values, defaults, update);
  }

  aggregate(model: ModelMeta, request: AggregateRequest) {
    return aggregate(this.db, model, request);
  }

  explain(model: ModelMeta, options: ReadRequest, explainOptions?: unknown) {
    return explain(this.db, model, options, explainOptions);
  }

  stream(model: ModelMeta, options: ReadRequest, batchSize: number) {
    return stream(this.db, model, options, batchSize);
  }

  paginate(model: ModelMeta, options: ReadRequest, size: number, after?: string) {
    return paginate(this.db, model, options, size, after);
  }

  /** Records read here are of this database's bound class: their methods write back here. */
  readonly protos = (model: ModelMeta) => recordPrototype(this.db, model);
}
