import { ConfigurationError } from "../errors.js";
import type { ModelMeta } from "./model-meta.js";
import type { Id } from "./primary-key.js";
import type { ExplainPlan } from "./explain-types.js";

/** A write's `{ hooks: false }`: skip the model's lifecycle hooks. */
export interface HookOption {
  hooks?: boolean;
}

/** Target of a bulk write: ids, or a filter. */
export type WriteTarget = readonly Id[] | readonly unknown[];

/**
 * What a connected database provides to the models bound to it. Models call through this
 * interface so the model layer never imports the pipeline (imports point one way).
 */
export interface ModelBinding {
  search(model: ModelMeta, options: object): Promise<object[]>;
  /** A page and the number of records matching in all, in one statement where the database allows. */
  searchAndCount(model: ModelMeta, options: object): Promise<{ data: object[]; total: number }>;
  get(model: ModelMeta, id: unknown, options: object | undefined, orNull: boolean): Promise<object | null>;
  count(model: ModelMeta, options: object | undefined, exists: boolean): Promise<number>;
  create(
    model: ModelMeta,
    values: readonly object[] | Iterable<object> | AsyncIterable<object>,
    options?: { onConflict?: readonly string[]; update?: readonly string[]; hooks?: boolean },
  ): Promise<Id[]>;
  /** `Model.create(values)`: one record, its new id. */
  createOne(model: ModelMeta, values: object): Promise<Id>;
  update(model: ModelMeta, target: WriteTarget | Id, values: object, options?: HookOption): Promise<number>;
  delete(model: ModelMeta, target: WriteTarget | Id, options?: HookOption): Promise<number>;
  /** A query set's update: the rows its filter list matches (every row for an empty list). */
  updateFilter(model: ModelMeta, filter: readonly unknown[], values: object, options?: HookOption): Promise<number>;
  /** A query set's delete: the rows its filter list matches (every row for an empty list). */
  deleteFilter(model: ModelMeta, filter: readonly unknown[], options?: HookOption): Promise<number>;
  aggregate(model: ModelMeta, request: object): Promise<Record<string, unknown>[]>;
  explain(model: ModelMeta, options: object, explainOptions?: unknown): Promise<string | ExplainPlan>;
  stream(model: ModelMeta, options: object, batchSize: number): AsyncIterable<object>;
  paginate(
    model: ModelMeta,
    options: object,
    size: number,
    after?: string,
  ): Promise<{ data: object[]; cursor: string | null }>;
  /** `getOrCreate` (`update` false) and `updateOrCreate` (`update` true): `[record, created]`. */
  getOrCreate(
    model: ModelMeta,
    values: object,
    defaults: object | undefined,
    update: boolean,
  ): Promise<[object, boolean]>;
  /** Runs `fn` with a deadline of `ms` (a call's `timeout` option, checked here) on every statement it starts. */
  within<T>(ms: unknown, fn: () => Promise<T>): Promise<T>;
}

/**
 * Runs a model call under its `timeout` option, when `options` has one: every statement the call
 * starts must answer within that many milliseconds (as `db.withTimeout`), else `ConnectionError`.
 *
 * @example
 * timed(meta, { timeout: 2000 }, () => bindingOf(meta).search(meta, options));
 */
export function timed<T>(model: ModelMeta, options: unknown, fn: () => Promise<T>, via?: unknown): Promise<T> {
  const ms = typeof options === "object" && options !== null ? (options as { timeout?: unknown }).timeout : undefined;
  return ms === undefined ? fn() : bindingOf(model, via).within(ms, fn);
}

const bindings = new WeakMap<ModelMeta, ModelBinding>();

/** Where a class made by `db.model(M)` (and its records' prototype) keeps the database it runs on. */
const pinned = Symbol("dotorm.binding");

/** Makes `target` (a class or a prototype) run its model calls on `binding`, whatever `connect` bound. */
export function pinBinding(target: object, binding: ModelBinding): void {
  Object.defineProperty(target, pinned, { value: binding });
}

/**
 * Binds models to a database (done by `connect`). A model still bound to another database, one
 * not closed, is refused with a `ConfigurationError` before any is bound: a second `connect` never
 * moves a model silently.
 */
export function bindModels(models: readonly ModelMeta[], binding: ModelBinding): void {
  assertUnbound(models, binding);
  for (const model of models) bindings.set(model, binding);
}

/** Refuses models bound to an open database other than `binding` (any, without one), as {@link bindModels} does. */
export function assertUnbound(models: Iterable<ModelMeta>, binding?: ModelBinding): void {
  for (const model of models) {
    const current = bindings.get(model);
    if (current && current !== binding) {
      const name = model.ctor.name || model.table;
      throw new ConfigurationError(
        `model ${name} ("${model.table}") is already connected to another open database: close that one first (db.close()), ` +
          `or connect this one with { bind: false } and use db.model(${name}) to run the model there`,
      );
    }
  }
}

/** Unbinds a model, if it is still bound to `binding` (done by `close`). */
export function unbindModel(model: ModelMeta, binding: ModelBinding): void {
  if (bindings.get(model) === binding) bindings.delete(model);
}

/**
 * The database a model call runs on: the one `via` (a class from `db.model(M)`, or a record read
 * through one) is pinned to, else the one `connect` bound; a clear error when there is none.
 */
export function bindingOf(model: ModelMeta, via?: unknown): ModelBinding {
  const own =
    typeof via === "function" || (typeof via === "object" && via !== null)
      ? (via as { [pinned]?: ModelBinding })[pinned]
      : undefined;
  if (own) return own;
  const b = bindings.get(model);
  if (!b) {
    throw new ConfigurationError(
      `model "${model.table}" is not connected to a database: list it in connect(adapter, { models: [...] })`,
    );
  }
  return b;
}
