import { AccessGate } from "../access/access-gate.js";
import type { AccessChecker } from "../access/access-checker.js";
import {
  ConfigurationError,
  ConnectionError,
  DotormError,
  QueryError,
  TransactionError,
  UnsupportedError,
} from "../errors.js";
import { bindModels, unbindModel } from "../model/binding.js";
import type { AnyModel, ModelMeta } from "../model/model-meta.js";
import type { QueryNode } from "../query/ast.js";
import type { Adapter, CompiledQuery, ExecOptions, ExecResult, StreamConnection } from "./adapter.js";
import { checkAdapter } from "./check-adapter.js";
import { modelMap } from "./model-map.js";
import { syncSchema } from "./sync-schema.js";
import { verifyAdapter } from "./verify-adapter.js";
import {
  type Deadline,
  deadlineIn,
  deadlineStore,
  primaryStore,
  replicaReads,
  sessionStore,
  txStore,
} from "./context.js";
import { type DatabaseEvents, Emitter } from "./events.js";
import { type RawSql, rawSql } from "./raw-sql.js";
import { memoryStore } from "../insight/memory-store.js";
import { NPlusOneDetector, type NPlusOneOptions } from "../insight/n-plus-one.js";
import { QueryCache } from "../insight/query-cache.js";
import { queryLogger } from "../insight/query-log.js";
import { StatementStats } from "../insight/statement-stats.js";
import { type Advice, type AdviseOptions, PlannedReads, advise } from "../insight/advise.js";
import type { ExplainOptions, ExplainPlan } from "../insight/explain-plan.js";
import { checkExplainOptions, explainStatement } from "../insight/explain-statement.js";
import { type StatsView, statsView } from "../insight/stats-view.js";
import type { ConnectOptions } from "./connect-options.js";
import { RecordOps } from "./record-ops.js";
import { boundModel } from "./bound-model.js";
import { type TransactionOptions, runTransaction } from "./transaction.js";
import type { TxFrame } from "./tx-line.js";
import type { Runner, StatementInfo } from "./runner.js";

export type { ConnectOptions } from "./connect-options.js";
export type { StatementInfo } from "./runner.js";

/** Raw statements that only read: they leave the query cache alone (anything else drops all of it). */
const readOnlySql = /^\s*\(?\s*(select|show|explain|describe|desc|values)\b/i;

/**
 * A connected database: the models bound to it, transactions, sessions, instrumentation, raw SQL.
 *
 * @example
 * const db = await connect(postgres({ pglite: true }), { models: [User, Chat] });
 * await db.sync();
 * await db.transaction(async () => { await Chat.create({ name: "General", creator_id: 1 }) });
 */
/** The options of a replica-eligible read without a deadline (shared: drivers never change them). */
const readOnlyOptions: ExecOptions = Object.freeze({ readOnly: true });

export class Database implements Runner {
  readonly models: ReadonlyMap<string, ModelMeta>;
  /** @internal The configured access checker (none: no checks). */
  readonly access: AccessChecker | undefined;
  /** @internal */
  readonly emitter = new Emitter();
  /** @internal */
  readonly ops: RecordOps;
  private closed = false;
  private readonly detector: NPlusOneDetector;
  /** @internal */
  readonly cache: QueryCache;
  /** Raw SQL with bound values: `` db.sql`select * from t where id = ${id}` ``. */
  readonly sql: RawSql;
  /**
   * Statement metrics per shape (the SQL text): calls, rows, errors, total / mean / p50 / p95 / p99 /
   * max time, the most total time first; `db.stats.reset()`, `.json()`, `.prometheus()` (text format)
   * and `.register(registry)` (a prom-client registry).
   *
   * @example
   * const [slowest] = db.stats();
   * app.get("/metrics", async (c) => c.text(await db.stats.prometheus()));
   */
  readonly stats: StatsView;
  private readonly planned?: PlannedReads;

  constructor(
    readonly adapter: Adapter,
    options: ConnectOptions,
    /** @internal `connect` binds the models only once the connection is checked. */
    bind = true,
  ) {
    this.access = options.access;
    const models = modelMap(options.models);
    this.models = models;
    checkAdapter(adapter);
    if (options.log) this.emitter.on("log", options.log);
    adapter.driver.logTo?.((e) => this.emitter.emit("log", e));
    this.ops = new RecordOps(this);
    if (bind && options.bind !== false) this.bindModels();
    this.sql = rawSql(this);
    const metrics = options.metrics ?? true;
    const stats =
      metrics === false ? undefined : new StatementStats(typeof metrics === "object" ? metrics.maxShapes : undefined);
    if (stats) this.emitter.on("query", (e) => stats.record(e));
    if (stats) this.planned = new PlannedReads(stats.maxShapes);
    this.stats = statsView(stats, () => {
      throw new ConfigurationError(
        "statement metrics are off for this database: connect without { metrics: false } to use db.stats()",
      );
    });
    this.emitter.on("query", queryLogger());
    this.detector = new NPlusOneDetector(this, models, (r) => this.emitter.emit("nPlusOne", r), options.nPlusOne);
    const store = options.cache?.store ?? memoryStore();
    if (typeof store?.get !== "function" || typeof store.set !== "function" || typeof store.invalidate !== "function") {
      throw new ConfigurationError(
        "connect({ cache: { store } }) takes a store with get, set and invalidate (see memoryStore and redisStore)",
      );
    }
    this.cache = new QueryCache(store, models, (e) => this.emitter.emit("cache", e));
  }

  /**
   * Runs `fn` as one unit of work watched by the N+1 detector: a read shape sent `threshold` (5)
   * or more times with different values is reported once, with the first stack frame of your code
   * and a suggestion (a nested read or an `in` filter). Mode "warn" emits `nPlusOne` and logs a
   * line, "throw" rejects the offending read with `NPlusOneError` (for tests), "off" does nothing.
   *
   * @example
   * await db.scope(async () => {
   *   for (const chat of await Chat.search({ limit: 20 })) await User.get(chat.creator_id); // reported
   * }, { mode: "throw" });
   */
  scope<T>(fn: () => Promise<T>, options?: NPlusOneOptions): Promise<T> {
    return this.detector.scope(fn, options);
  }

  /** Makes the models' static methods run on this database; refused for a model bound to another open one. @internal */
  bindModels(): void {
    bindModels([...this.models.values()], this.ops);
  }

  /**
   * The model `cls` bound to this database: the same statics (and records whose methods write back
   * here), whatever `connect` bound `cls` itself to. One definition serves several databases.
   *
   * @example
   * const events = await pg.model(Event).query().filter({ kind: "click" }).limit(1000);
   * await ch.model(Event).createMany(events);
   */
  model<M extends AnyModel>(cls: M): M {
    return boundModel(this, cls);
  }

  /**
   * Checks that the database answers (one cheap round trip, bounded by the adapter's connect or
   * acquire timeout); `connect` runs it unless `verify: false`. Fails with a `ConnectionError`
   * (or a `ConfigurationError`) saying what to fix.
   *
   * @example
   * const db = await connect(postgres({ url }), { models, verify: false });
   * await db.verify(); // later, e.g. in a readiness probe
   */
  async verify(): Promise<void> {
    if (this.closed) throw new DotormError("this database was closed; connect again");
    await verifyAdapter(this.adapter);
  }

  /** Listens to events; `"query"` fires once per statement sent, `"log"` for what the driver library logs. */
  on<K extends keyof DatabaseEvents>(event: K, listener: (e: DatabaseEvents[K]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  /** Removes a listener added with {@link on}. */
  off<K extends keyof DatabaseEvents>(event: K, listener: (e: DatabaseEvents[K]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  /**
   * The normalised plan of one raw statement (no access rules apply, as with `db.sql`; for a
   * model's read use `qs.explain({ ... })`). `analyze` runs it: a write only in a transaction that
   * is rolled back (PostgreSQL), refused elsewhere.
   * @example
   * const plan = await db.explain({ sql: "UPDATE leads SET score = 0 WHERE id = $1", params: [7] }, { analyze: true });
   */
  async explain(query: CompiledQuery, options: ExplainOptions = {}): Promise<ExplainPlan> {
    if (typeof query?.sql !== "string") throw new QueryError("db.explain() takes { sql, params }", "sql");
    return explainStatement(this, { sql: query.sql, params: query.params ?? [] }, checkExplainOptions(options));
  }

  /**
   * Explains again (never ANALYZE) the costliest `db.stats()` shapes that are ORM reads, with their
   * last parameters; the recommendations ranked by the total time of the shapes they came from.
   * @example
   * const [first] = await db.advise(); // { kind: "missing-index", ddl: "CREATE INDEX ...", totalMs: 812, ... }
   */
  async advise(options?: AdviseOptions): Promise<Advice[]> {
    return advise(this, this.stats(), this.planned!, options);
  }

  /** Compiles and executes one AST node. @internal */
  run(node: QueryNode, info: StatementInfo): Promise<ExecResult> {
    const query = this.adapter.compiler.compile(node);
    if (this.detector.active > 0) this.detector.watch(node, query, info);
    this.planned?.note(node, query);
    if (info.cache)
      return this.cache.read(node, query, info, info.cache, this.txLine(), () => this.dispatch(query, info));
    if (node.kind === "select" || node.kind === "count" || node.kind === "aggregate") return this.dispatch(query, info);
    return this.dispatch(query, info).finally(() => this.cache.written(node, this.txLine()));
  }

  /** The transaction of this database the call chain runs in, if any (its writes are tracked for the cache). */
  private txLine(): object | undefined {
    const frame = txStore.getStore();
    return frame?.line.owner === this ? frame.line : undefined;
  }

  /**
   * Executes one compiled statement (raw SQL, DDL, EXPLAIN) on the current transaction's connection
   * or the pool; one that may write drops the whole query cache once it has run. @internal
   */
  exec(query: CompiledQuery, info: StatementInfo = {}): Promise<ExecResult> {
    if (readOnlySql.test(query.sql)) return this.dispatch(query, info);
    return this.dispatch(query, info).finally(() => this.cache.invalidate(this.cache.allTables()));
  }

  private dispatch(query: CompiledQuery, info: StatementInfo): Promise<ExecResult> {
    const frame = txStore.getStore();
    const deadline = deadlineStore.getStore();
    if (frame?.line.owner === this) return this.sendIn(frame, query, { deadline }, info);
    const readOnly = this.adapter.driver.routesReads === true && replicaReads(info.operation);
    return this.send(query, info, deadline, (o) =>
      this.adapter.driver.execute(query, readOnly ? (o ? { ...o, readOnly } : readOnlyOptions) : o),
    );
  }

  /**
   * Runs `fn` with every read on the primary, never on a read replica: read-your-writes right after
   * a write outside a transaction. Without replicas (or inside a transaction) it changes nothing.
   *
   * @example
   * await Lead.create({ name: "Acme" });
   * const fresh = await db.primary(() => Lead.search({ filter: [["name", "=", "Acme"]] }));
   */
  primary<T>(fn: () => Promise<T>): Promise<T> {
    return primaryStore.run(true, fn);
  }

  /** Sends one statement through `run`, with the deadline check, error mapping and the "query" event. */
  private async send(
    query: CompiledQuery,
    info: StatementInfo,
    deadline: Deadline | undefined,
    run: (o: ExecOptions | undefined) => Promise<ExecResult>,
  ): Promise<ExecResult> {
    if (this.closed) throw new DotormError("this database was closed; connect again");
    if (deadline && Date.now() >= deadline.at) {
      throw new ConnectionError(`the statement was not sent: ${deadline.label} had already passed`);
    }
    const listening = this.emitter.has("query");
    const start = listening ? performance.now() : 0;
    let result: ExecResult;
    try {
      result = await run(deadline ? { deadline: deadline.at, deadlineLabel: deadline.label } : undefined);
    } catch (e) {
      const error = e instanceof DotormError ? e : this.adapter.driver.mapError(e, query);
      if (listening)
        this.emitter.emit("query", { ...query, durationMs: performance.now() - start, rowCount: 0, ...info, error });
      throw error;
    }
    if (listening) {
      const rowCount = result.rows.length || result.affected;
      this.emitter.emit("query", {
        sql: query.sql,
        params: query.params,
        durationMs: performance.now() - start,
        rowCount,
        ...info,
      });
    }
    return result;
  }

  /**
   * Sends a statement on a transaction's connection, in the level `frame` (refused once that level
   * settled, unless `force`), after the statements queued before it; records a failure that leaves
   * the transaction unable to commit.
   */
  private sendIn(
    frame: TxFrame,
    query: CompiledQuery,
    options: { force?: boolean; deadline?: Deadline },
    info: StatementInfo = {},
  ): Promise<ExecResult> {
    const { line } = frame;
    return this.send(query, info, options.deadline, (o) => {
      const run = () => line.conn.execute(query, o).catch((e: unknown) => this.noteFailure(frame, e));
      return options.force ? line.force(run) : line.run(frame, run);
    });
  }

  /** Marks `frame` unable to commit when the driver says the error aborted the transaction; rethrows. */
  private noteFailure(frame: TxFrame, error: unknown): never {
    if (this.adapter.driver.abortsTransaction?.(error) ?? true) frame.aborted ??= error;
    throw error;
  }

  /** Streams a SELECT's rows in batches through the driver; one "query" event when it ends. @internal */
  async *streamRows(
    query: CompiledQuery,
    batchSize: number,
    info: StatementInfo,
  ): AsyncGenerator<readonly Record<string, unknown>[]> {
    if (this.closed) throw new DotormError("this database was closed; connect again");
    const current = txStore.getStore();
    const frame = current?.line.owner === this ? current : undefined;
    const deadline = deadlineStore.getStore();
    const readOnly = !frame && this.adapter.driver.routesReads === true && replicaReads(info.operation);
    const timed: ExecOptions | undefined = deadline
      ? { deadline: deadline.at, deadlineLabel: deadline.label }
      : undefined;
    const options: ExecOptions | undefined = readOnly ? { ...timed, readOnly } : timed;
    const conn: StreamConnection | undefined = frame && {
      execute: (q, o) =>
        this.sendIn(frame, q, {
          deadline: o?.deadline ? { at: o.deadline, label: o.deadlineLabel ?? "the deadline" } : deadline,
        }),
      connection: frame.line.conn,
      hold: () => frame.line.hold(frame),
    };
    frame?.assertOpen();
    const start = performance.now();
    let rowCount = 0;
    try {
      for await (const rows of this.adapter.driver.stream!(query, batchSize, conn, options)) {
        rowCount += rows.length;
        yield rows;
      }
    } catch (e) {
      if (frame && !(e instanceof TransactionError) && (this.adapter.driver.abortsTransaction?.(e) ?? true))
        frame.aborted ??= e;
      const error = e instanceof DotormError ? e : this.adapter.driver.mapError(e, query);
      this.emitter.emit("query", { ...query, durationMs: performance.now() - start, rowCount, ...info, error });
      throw error;
    }
    this.emitter.emit("query", {
      sql: query.sql,
      params: query.params,
      durationMs: performance.now() - start,
      rowCount,
      ...info,
    });
  }

  /**
   * Runs `fn` in a transaction: every call awaited inside uses one connection (found through
   * AsyncLocalStorage), one statement at a time. Commits when `fn` resolves, rolls back when it
   * throws; nested calls are savepoints (concurrent ones run one after the other). Resolves only if
   * the database committed: a transaction the database aborted (on PostgreSQL, any statement error
   * inside it, even caught) rejects with a `TransactionError`. Statements are bound to it: one issued
   * from its callback's context after the callback settled is refused with a `TransactionError`,
   * never run. Throws `UnsupportedError` where the database has no transactions (ClickHouse).
   *
   * @example
   * await db.transaction(async () => {
   *   await Promise.all([Chat.create({ name: "a", creator_id: 1 }), Chat.create({ name: "b", creator_id: 1 })]);
   * }, { timeout: 5000 });
   */
  async transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T> {
    const { capabilities, driver, dialect } = this.adapter;
    if (!capabilities.transactions || !driver.acquire) {
      throw new UnsupportedError(
        "transaction",
        dialect,
        "run the statements without a transaction, or keep transactional data in PostgreSQL or MySQL",
      );
    }
    if (this.closed) throw new DotormError("this database was closed; connect again");
    const send = (frame: TxFrame, query: CompiledQuery, o: { force?: boolean; deadline?: Deadline }) =>
      this.sendIn(frame, query, o);
    if (this.txLine()) return runTransaction(this.adapter, this, send, fn, options);
    let line: object | undefined;
    const body = () => {
      line = this.txLine();
      return fn();
    };
    // what the transaction wrote is dropped from the cache again once it committed or rolled back
    return runTransaction(this.adapter, this, send, body, options).finally(
      () => line && this.cache.transactionEnded(line),
    );
  }

  /**
   * Runs `fn` with a deadline: every statement it starts must have answered within `ms` of this
   * call (the earlier deadline wins when nested). A statement still running then ends with a
   * `ConnectionError` naming this limit, and its connection is discarded.
   *
   * @example
   * const page = await db.withTimeout(2000, () => Lead.search({ limit: 50 }));
   */
  async withTimeout<T>(ms: number, fn: () => Promise<T>): Promise<T> {
    if (!(Number.isSafeInteger(ms) && ms > 0))
      throw new ConfigurationError(`withTimeout() takes a positive number of milliseconds, got ${String(ms)}`);
    return deadlineStore.run(deadlineIn(ms, `db.withTimeout(${ms})`), fn);
  }

  /** `withTimeout` under another name for the limit (a call's `timeout` option). @internal */
  within<T>(ms: number, label: string, fn: () => Promise<T>): Promise<T> {
    return deadlineStore.run(deadlineIn(ms, label), fn);
  }

  /** Runs `fn` in a transaction where the database has them, directly otherwise. @internal */
  atomic<T>(fn: () => Promise<T>): Promise<T> {
    return this.adapter.capabilities.transactions ? this.transaction(fn) : fn();
  }

  /** Whether the current async chain is inside a transaction of this database. */
  get inTransaction(): boolean {
    const frame = txStore.getStore();
    return frame?.line.owner === this && frame.open;
  }

  /** Runs `fn` with `session` as the current session for access control (nests and restores). */
  withSession<T>(session: unknown, fn: () => Promise<T>): Promise<T> {
    // No session inside no session is the context already: entering a store would only cost
    // (on Node 20 the first store switches on promise hooks for the whole process).
    if (session === undefined && sessionStore.getStore() === undefined) return fn();
    return sessionStore.run({ session, sudo: false }, fn);
  }

  /**
   * @internal The access gate of this call: the checker with the current session, handed to the
   * secure step; undefined without a checker or in `sudo` (then nothing is checked or awaited).
   */
  accessGate(): AccessGate | undefined {
    if (this.access === undefined) return undefined;
    const state = sessionStore.getStore();
    return state?.sudo === true ? undefined : new AccessGate(this.access, state?.session);
  }

  /** Runs `fn` bypassing the access checker. */
  sudo<T>(fn: () => Promise<T>): Promise<T> {
    return sessionStore.run({ session: sessionStore.getStore()?.session, sudo: true }, fn);
  }

  /**
   * Creates missing tables, columns, indexes, foreign keys and many2many link tables. Never drops
   * or alters; a second run sends no DDL. Returns the statements it ran.
   */
  sync(): Promise<string[]> {
    return syncSchema(this);
  }

  /** Closes the pool (or the embedded engine) and unbinds the models. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const meta of this.models.values()) unbindModel(meta, this.ops);
    await this.adapter.driver.close();
  }
}
