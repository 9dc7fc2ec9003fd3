import type { AccessChecker } from "../access/access-checker.js";
import type { AccessGate } from "../access/access-gate.js";
import type { CacheOption } from "../query/cache-option.js";
import type { HookOption, ModelBinding } from "../model/binding.js";
import type { AnyModel, ModelMeta } from "../model/model-meta.js";
import type { QueryNode } from "../query/ast.js";
import type { WriteScope } from "../query/write-scope.js";
import type { CompiledQuery, ExecResult } from "../sql/statement.js";
import type { Adapter } from "./adapter.js";
import type { Emitter } from "./events.js";

/** Where a statement came from, for instrumentation. */
export interface StatementInfo {
  readonly model?: string;
  readonly operation?: string;
  /** Serve this read from the query cache (checked by the caller). */
  readonly cache?: CacheOption;
}

/** The record operations as the write helpers call them back (relation commands, hydration's prototypes). */
export interface RecordWriter extends ModelBinding {
  /** Updates the rows of a scope (ids, or a secured condition), hooks and access included. */
  updateScope(model: ModelMeta, scope: WriteScope, values: object, options?: HookOption): Promise<number>;
  /** Deletes the rows of a scope, hooks and access included. */
  deleteScope(model: ModelMeta, scope: WriteScope, options?: HookOption): Promise<number>;
  /** The prototype of a model's records on this database (their methods write back here). */
  readonly protos: (model: ModelMeta) => object;
}

/**
 * What the operations of `run/` (record and query operations, relation writes, raw SQL, sync,
 * `db.model`) need from the database they run on. `Database` implements it; they import this
 * interface, never `Database`, so imports point one way: database -> operations -> runner.
 */
export interface Runner {
  readonly adapter: Adapter;
  readonly models: ReadonlyMap<string, ModelMeta>;
  /** The configured access checker (none: no checks). */
  readonly access: AccessChecker | undefined;
  /** The access gate of this call (the checker with the current session), or none (no checker, or `sudo`). */
  accessGate(): AccessGate | undefined;
  readonly ops: RecordWriter;
  /** Where `explain` reports (`db.on("explain")`). */
  readonly emitter: Emitter;
  /** Whether the current async chain is inside a transaction of this database. */
  readonly inTransaction: boolean;
  /**
   * Compiles and sends one AST node (query cache, N+1 detector and metrics included); `compiled` is
   * the node as the adapter's compiler compiles it, when the caller has it already (a read template);
   * `map` reads the result in the statement's own reaction, with no promise of its own (it must not
   * throw: it may run in the driver's callback).
   */
  run<R = ExecResult>(
    node: QueryNode,
    info: StatementInfo,
    compiled?: CompiledQuery,
    map?: (r: ExecResult) => R,
  ): Promise<R>;
  /** Sends one compiled statement (raw SQL, DDL, EXPLAIN). */
  exec(query: CompiledQuery, info?: StatementInfo): Promise<ExecResult>;
  /** Streams a SELECT's rows in batches. */
  streamRows(
    query: CompiledQuery,
    batchSize: number,
    info: StatementInfo,
  ): AsyncGenerator<readonly Record<string, unknown>[]>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** A transaction where the database has them, `fn` directly otherwise. */
  atomic<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` with a deadline `ms` from now, named `label` in the error. */
  within<T>(ms: number, label: string, fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` with every read on the primary. */
  primary<T>(fn: () => Promise<T>): Promise<T>;
  /** The model `cls` bound to this database (`db.model`). */
  model<M extends AnyModel>(cls: M): M;
}
