import { ConfigurationError } from "../errors.js";
import type { ModelMeta } from "./model-meta.js";

/** A write's `{ hooks: false }`: skip the model's lifecycle hooks. */
export interface HookOption {
  hooks?: boolean;
}

/** Target of a bulk write: ids, or a filter. */
export type WriteTarget = readonly number[] | readonly unknown[];

/**
 * What a connected database provides to the models bound to it. Models call through this
 * interface so the model layer never imports the pipeline (imports point one way).
 */
export interface ModelBinding {
  search(model: ModelMeta, options: object): Promise<object[]>;
  get(model: ModelMeta, id: unknown, options: object | undefined, orNull: boolean): Promise<object | null>;
  count(model: ModelMeta, options: object | undefined, exists: boolean): Promise<number>;
  create(model: ModelMeta, values: readonly object[] | Iterable<object> | AsyncIterable<object>, options?: { onConflict?: readonly string[]; update?: readonly string[]; hooks?: boolean }): Promise<number[]>;
  update(model: ModelMeta, target: WriteTarget | number, values: object, options?: HookOption): Promise<number>;
  delete(model: ModelMeta, target: WriteTarget | number, options?: HookOption): Promise<number>;
  /** A query set's update: the rows its filter list matches (every row for an empty list). */
  updateFilter(model: ModelMeta, filter: readonly unknown[], values: object, options?: HookOption): Promise<number>;
  /** A query set's delete: the rows its filter list matches (every row for an empty list). */
  deleteFilter(model: ModelMeta, filter: readonly unknown[], options?: HookOption): Promise<number>;
  aggregate(model: ModelMeta, request: object): Promise<Record<string, unknown>[]>;
  explain(model: ModelMeta, options: object): Promise<string>;
  stream(model: ModelMeta, options: object, batchSize: number): AsyncIterable<object>;
  paginate(model: ModelMeta, options: object, size: number, after?: string): Promise<{ data: object[]; cursor: string | null }>;
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
export function timed<T>(model: ModelMeta, options: unknown, fn: () => Promise<T>): Promise<T> {
  const ms = typeof options === "object" && options !== null ? (options as { timeout?: unknown }).timeout : undefined;
  return ms === undefined ? fn() : bindingOf(model).within(ms, fn);
}

const bindings = new WeakMap<ModelMeta, ModelBinding>();

/** Binds a model to a database (done by `connect`; the latest connect wins). */
export function bindModel(model: ModelMeta, binding: ModelBinding): void {
  bindings.set(model, binding);
}

/** Unbinds a model, if it is still bound to `binding` (done by `close`). */
export function unbindModel(model: ModelMeta, binding: ModelBinding): void {
  if (bindings.get(model) === binding) bindings.delete(model);
}

/** The database a model is bound to; a clear error when `connect` has not been told about it. */
export function bindingOf(model: ModelMeta): ModelBinding {
  const b = bindings.get(model);
  if (!b) {
    throw new ConfigurationError(
      `model "${model.table}" is not connected to a database: list it in connect(adapter, { models: [...] })`,
    );
  }
  return b;
}
