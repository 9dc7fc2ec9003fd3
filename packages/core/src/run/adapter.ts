import type { DdlCompiler } from "../sql/ddl-compiler.js";
import type { SqlCompiler } from "../sql/sql-compiler.js";
import type { Introspector } from "../sql/schema.js";
import type { LogEvent } from "./events.js";
import type { CompiledQuery, ExecResult } from "../sql/statement.js";
import type { PlanReader } from "../insight/explain-plan.js";

export type { BulkRows, CompiledQuery, ExecResult, StatementKind } from "../sql/statement.js";

/** Per-statement options the core passes to the driver. */
export interface ExecOptions {
  /**
   * Time (epoch milliseconds, `Date.now()` clock) by which the statement must have answered, from
   * `db.withTimeout` or a transaction's `timeout`. The driver ends the call with a `ConnectionError`
   * and discards the connection when it passes; its own `queryTimeout` applies when absent or later.
   */
  readonly deadline?: number;
  /** Names the limit behind `deadline` in the error, e.g. "transaction timeout (5000 ms)". */
  readonly deadlineLabel?: string;
  /**
   * The statement only reads, outside any transaction, and the caller allows a read replica to
   * answer it (not inside `db.primary()`, not `{ replica: false }`). Drivers without replicas ignore it.
   */
  readonly readOnly?: boolean;
}

/** How {@link DriverConnection.executeWith} reports: the error, or `null` and the result. */
export type ExecCallback = (error: unknown, result?: ExecResult) => void;

/** One connection taken from the pool (for transactions). Used by the core one statement at a time. */
export interface DriverConnection {
  execute(query: CompiledQuery, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Optional: {@link execute} with a callback instead of a promise, for drivers over a callback
   * API. When present, core sends a transaction's statements through it and settles one promise
   * per statement of its own (each promise costs a hook call on Node 20 once `AsyncLocalStorage`
   * is in use). Calls `done` once, as `execute` would settle: `done(null, result)` or `done(error)`.
   */
  executeWith?(query: CompiledQuery, options: ExecOptions | undefined, done: ExecCallback): void;
  /**
   * Gives the connection back. `discard` is set when it may be left in an unknown state (a
   * transaction that could not be rolled back): the driver must close it instead of pooling it.
   */
  release(discard?: boolean): void;
}

/**
 * The driver seam: execute statements, hand out connections for transactions, map driver errors.
 * Implemented by each adapter over its client library.
 */
export interface Driver {
  execute(query: CompiledQuery, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Optional: {@link execute} with a callback instead of a promise, for drivers over a callback
   * API. When present, core sends statements outside a transaction through it and settles one
   * promise per statement of its own (each promise costs a hook call on Node 20 once
   * `AsyncLocalStorage` is in use). Calls `done` once, as `execute` would settle.
   */
  executeWith?(query: CompiledQuery, options: ExecOptions | undefined, done: ExecCallback): void;
  /**
   * True when the driver sends reads to replicas (the core's `ReplicatedDriver`): only then does the
   * core work out, per statement, whether it may go to one (`ExecOptions.readOnly`).
   */
  readonly routesReads?: boolean;
  /** A dedicated connection, for transactions. Absent when the database has no transactions. */
  acquire?(options?: ExecOptions): Promise<DriverConnection>;
  /**
   * Optional: {@link acquire} with a callback instead of a promise, for drivers over a callback API.
   * When present, core takes a transaction's connection and sends its BEGIN (through the connection's
   * `executeWith`) settling one promise of its own. Calls `done` once: `done(null, connection)` or
   * `done(error)`, with the errors `acquire` would reject with.
   */
  acquireWith?(options: ExecOptions | undefined, done: (error: unknown, conn?: DriverConnection) => void): void;
  /**
   * Streams the rows of a SELECT in batches from a server-side cursor or the driver's own stream,
   * so memory stays bounded. `conn` is the current transaction's connection, if any (see
   * {@link StreamConnection}). A stream whose connection dies ends with a `ConnectionError`.
   */
  stream?(
    query: CompiledQuery,
    batchSize: number,
    conn?: StreamConnection,
    options?: ExecOptions,
  ): AsyncIterable<readonly Record<string, unknown>[]>;
  /**
   * Whether a statement that failed with `error` inside a transaction left it unable to commit
   * (PostgreSQL: every error; MySQL: a deadlock or a lost connection). Absent means always.
   */
  abortsTransaction?(error: unknown): boolean;
  /** Turns a driver error into a DotORM error (with the original as `cause`). */
  mapError(error: unknown, query?: CompiledQuery): Error;
  /**
   * Checks that the database answers, with one cheap round trip, bounded by the driver's own
   * connect or acquire timeout (what `connect(adapter, { verify: true })` runs). Absent: the core
   * sends `SELECT 1`.
   */
  verify?(): Promise<void>;
  /**
   * Routes what the driver library would print to the console to `sink` (`db.on("log")`);
   * `undefined` drops it again. Drivers whose library prints nothing leave it out.
   */
  logTo?(sink: ((event: LogEvent) => void) | undefined): void;
  close(): Promise<void>;
}

/**
 * A transaction's connection as a stream sees it: `execute` queues behind the transaction's other
 * statements; `hold` takes the connection for a stream that reads it directly (mysql2), so no other
 * statement of the transaction is sent until the returned function is called.
 */
export interface StreamConnection {
  execute(query: CompiledQuery, options?: ExecOptions): Promise<ExecResult>;
  /** The driver's own connection, as `acquire` returned it. */
  readonly connection: DriverConnection;
  hold(): Promise<() => void>;
}

/** Plain flags the core consults instead of asking which database it talks to. */
export interface Capabilities {
  /** INSERT ... RETURNING gives generated ids. */
  readonly returning: boolean;
  readonly transactions: boolean;
  readonly savepoints: boolean;
  /** DDL inside a transaction is rolled back with it. */
  readonly transactionalDdl: boolean;
  readonly foreignKeys: boolean;
  /** Ids are generated by the adapter rather than the database. */
  readonly clientIds: boolean;
  /**
   * Whether the database enforces `unique` fields (and so can upsert on them). Absent means true.
   * ClickHouse sets it to false: a duplicate is stored, and upserts raise `UnsupportedError`.
   *
   * @example
   * if (db.adapter.capabilities.uniqueConstraints === false) console.warn("unique is not enforced here");
   */
  readonly uniqueConstraints?: boolean;
  /**
   * Years a date or datetime column can hold, when narrower than 1 to 9999 (ClickHouse: 1900 to
   * 2299). Values outside are refused with a ValidationError rather than clamped. Absent = no limit.
   */
  readonly yearRange?: readonly [number, number];
  /**
   * Whether `SELECT ... FOR UPDATE` (with `SKIP LOCKED` / `NOWAIT`) locks rows inside a transaction.
   * Absent means false: `forUpdate()` raises `UnsupportedError`.
   */
  readonly rowLocks?: boolean;
  /**
   * Whether columns computed through relations (`values("author_id__name")`, `orderBy` on a path,
   * `annotate`) work. Absent means true; ClickHouse sets false and raises `UnsupportedError`.
   */
  readonly relationColumns?: boolean;
}

/** What an adapter hands to `connect()`: its dialect name, flags, SQL and DDL compilers, driver, introspector. */
export interface Adapter {
  readonly dialect: string;
  readonly capabilities: Capabilities;
  readonly compiler: SqlCompiler;
  readonly ddl: DdlCompiler;
  readonly driver: Driver;
  readonly introspector: Introspector;
  /** Reads EXPLAIN plans into the normalised shape of `explain({ ... })`; absent: it raises `UnsupportedError`. */
  readonly plans?: PlanReader;
  /**
   * Generates ids when `capabilities.clientIds` is set. May be asynchronous (an adapter can lease
   * id ranges from the database).
   */
  nextIds?(count: number): number[] | Promise<number[]>;
}
