import { AccessGate } from "../access/access-gate.js";
import type { AccessChecker } from "../access/access-checker.js";
import { ConfigurationError, QueryError, UnsupportedError } from "../errors.js";
import { bindModels, unbindModel } from "../model/binding.js";
import type { AnyModel, ModelMeta } from "../model/model-meta.js";
import type { QueryNode } from "../query/ast.js";
import type { Adapter, CompiledQuery, ExecOptions, ExecResult } from "./adapter.js";
import { checkAdapter } from "./check-adapter.js";
import { modelMap } from "./model-map.js";
import { syncSchema } from "./sync-schema.js";
import { verifyAdapter } from "./verify-adapter.js";
import { deadlineIn, deadlineStore, primaryStore, replicaReads, sessionStore, txStore } from "./context.js";
import { templateWrite } from "./write-template.js";
import { type DatabaseEvents, Emitter } from "./events.js";
import { type RawSql, rawSql } from "./raw-sql.js";
import type { NPlusOneDetector, NPlusOneOptions } from "../insight/n-plus-one.js";
import type { QueryCache } from "../insight/query-cache.js";
import { type Advice, type AdviseOptions, type PlannedReads, advise } from "../insight/advise.js";
import type { ExplainOptions, ExplainPlan } from "../insight/explain-plan.js";
import { checkExplainOptions, explainStatement } from "../insight/explain-statement.js";
import type { StatsView } from "../insight/stats-view.js";
import type { ConnectOptions } from "./connect-options.js";
import { RecordOps } from "./record-ops.js";
import { boundModel } from "./bound-model.js";
import { instrumentation } from "./instrumentation.js";
import { callbackStatement } from "./callback-statement.js";
import { StatementSender } from "./statement-sender.js";
import { type TransactionOptions, runTransaction } from "./transaction.js";
import type { Runner, StatementInfo } from "./runner.js";

export type { ConnectOptions } from "./connect-options.js";
export type { StatementInfo } from "./runner.js";

/** Raw statements that only read: they leave the query cache alone (anything else drops all of it). */
const readOnlySql = /^\s*\(?\s*(select|show|explain|describe|desc|values)\b/i;

/** The options of a replica-eligible read without a deadline (shared: drivers never change them). */
const readOnlyOptions: ExecOptions = Object.freeze({ readOnly: true });

/**
 * A connected database: the models bound to it, transactions, sessions, instrumentation, raw SQL.
 *
 * @example
 * const db = await connect(postgres({ pglite: true }), { models: [User, Chat] });
 * await db.sync();
 * await db.transaction(async () => { await Chat.create({ name: "General", creator_id: 1 }) });
 */
export class Database implements Runner {
  readonly models: ReadonlyMap<string, ModelMeta>;
  /** @internal The configured access checker (none: no checks). */
  readonly access: AccessChecker | undefined;
  /** @internal */
  readonly emitter = new Emitter();
  /** @internal */
  readonly ops: RecordOps;
  private readonly sender: StatementSender;
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
  private readonly planned: PlannedReads | undefined;

  constructor(
    readonly adapter: Adapter,
    options: ConnectOptions,
    /** @internal `connect` binds the models only once the connection is checked. */
    bind = true,
  ) {
    this.access = options.access;
    this.models = modelMap(options.models);
    checkAdapter(adapter);
    this.sender = new StatementSender(adapter, this.emitter);
    if (options.log) this.emitter.on("log", options.log);
    adapter.driver.logTo?.((e) => this.emitter.emit("log", e));
    this.ops = new RecordOps(this);
    if (bind && options.bind !== false) this.bindModels();
    this.sql = rawSql(this);
    const insight = instrumentation(this, options);
    this.stats = insight.stats;
    this.planned = insight.planned;
    this.detector = insight.detector;
    this.cache = insight.cache;
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
    this.sender.assertOpen();
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

  /**
   * Compiles and executes one AST node; `map` reads the result in the statement's own reaction
   * (no promise of its own; it must not throw). @internal
   */
  run<R = ExecResult>(
    node: QueryNode,
    info: StatementInfo,
    compiled?: CompiledQuery,
    map?: (r: ExecResult) => R,
  ): Promise<R> {
    const query = compiled ?? this.compile(node);
    if (this.detector.active > 0) this.detector.watch(node, query, info);
    this.planned?.note(node, query);
    if (info.cache) {
      const read = this.cache.read(node, query, info, info.cache, this.txLine(), () => this.dispatch(query, info));
      return map ? read.then(map) : (read as Promise<R>);
    }
    if (node.kind === "select" || node.kind === "count" || node.kind === "aggregate")
      return this.dispatch(query, info, map);
    // a write inside a transaction is dropped from the cache once, when the transaction ends
    const tx = this.txLine();
    if (tx) {
      this.cache.wroteIn(tx, node);
      return this.dispatch(query, info, map);
    }
    // the cache drops what the write changed before the write settles (in its reaction: no promise of its own)
    return this.dispatch(query, info, map, () => this.cache.written(node));
  }

  /** `node` as the adapter's compiler compiles it; an update or delete by id from its kept template (see {@link templateWrite}). */
  private compile(node: QueryNode): CompiledQuery {
    if (node.kind === "update" || node.kind === "delete") {
      const kept = templateWrite(this.adapter.compiler, node);
      if (kept) return kept;
    }
    return this.adapter.compiler.compile(node);
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

  private dispatch<R = ExecResult>(
    query: CompiledQuery,
    info: StatementInfo,
    map?: (r: ExecResult) => R,
    after?: () => Promise<void> | undefined,
  ): Promise<R> {
    const frame = txStore.getStore();
    const deadline = deadlineStore.getStore();
    if (frame?.line.owner === this) return this.sender.sendIn(frame, query, { deadline }, info, map);
    const { driver } = this.adapter;
    const readOnly = driver.routesReads === true && replicaReads(info.operation);
    return this.sender.send<R>(
      query,
      info,
      deadline,
      (o, ok, fail) => {
        const options = readOnly ? (o ? { ...o, readOnly } : readOnlyOptions) : o;
        // a driver with a callback form: one promise per statement, settled in its callback
        if (driver.executeWith)
          return callbackStatement((done) => driver.executeWith?.(query, options, done), ok, fail);
        return driver.execute(query, options).then(ok, fail) as Promise<R>;
      },
      undefined,
      map,
      after,
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

  /** Streams a SELECT's rows in batches through the driver; one "query" event when it ends. @internal */
  streamRows(
    query: CompiledQuery,
    batchSize: number,
    info: StatementInfo,
  ): AsyncGenerator<readonly Record<string, unknown>[]> {
    return this.sender.stream(this, query, batchSize, info);
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
  transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T> {
    // not an async function: the transaction's own promise is returned as is (errors still reject)
    try {
      const { capabilities, driver, dialect } = this.adapter;
      if (!capabilities.transactions || !driver.acquire) {
        throw new UnsupportedError(
          "transaction",
          dialect,
          "run the statements without a transaction, or keep transactional data in PostgreSQL or MySQL",
        );
      }
      this.sender.assertOpen();
      // what the transaction wrote is dropped from the cache once it committed or rolled back
      return runTransaction(
        this.adapter,
        this,
        this.sender.txOpen,
        this.sender.txSend,
        fn,
        options,
        this.transactionEnded,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private readonly transactionEnded = (line: object) => this.cache.transactionEnded(line);

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
    if (this.sender.closed) return;
    this.sender.closed = true;
    for (const meta of this.models.values()) unbindModel(meta, this.ops);
    await this.adapter.driver.close();
  }
}
