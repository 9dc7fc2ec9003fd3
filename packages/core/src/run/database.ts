import { AccessGate } from "../access/access-gate.js";
import type { AccessChecker } from "../access/access-checker.js";
import { ConfigurationError, DotormError, UnsupportedError } from "../errors.js";
import { bindModel, unbindModel } from "../model/binding.js";
import { type AnyModel, type ModelMeta, useModelClass } from "../model/model-meta.js";
import type { QueryNode } from "../query/ast.js";
import { planSync } from "../sql/plan-sync.js";
import type { Adapter, CompiledQuery, ExecResult } from "./adapter.js";
import { checkAdapter } from "./check-adapter.js";
import { sessionStore, txStore } from "./context.js";
import { type DatabaseEvents, Emitter } from "./events.js";
import { type RawSql, rawSql } from "./raw-sql.js";
import { RecordOps } from "./record-ops.js";

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** The models this database serves; their static methods run here. */
  models: readonly AnyModel[];
  /** The access-control hook (see `AccessChecker`). */
  access?: AccessChecker<any>;
}

/** Where a statement came from, for instrumentation. */
export interface StatementInfo {
  readonly model?: string;
  readonly operation?: string;
}

/**
 * A connected database: the models bound to it, transactions, sessions, instrumentation, raw SQL.
 *
 * @example
 * const db = await connect(postgres({ pglite: true }), { models: [User, Chat] });
 * await db.sync();
 * await db.transaction(async () => { await Chat.create({ name: "General", creator_id: 1 }) });
 */
export class Database {
  readonly models: ReadonlyMap<string, ModelMeta>;
  /** @internal */
  readonly access: AccessGate;
  private readonly emitter = new Emitter();
  /** @internal */
  readonly ops: RecordOps;
  private closed = false;
  /** Raw SQL with bound values: `` db.sql`select * from t where id = ${id}` ``. */
  readonly sql: RawSql;

  constructor(
    readonly adapter: Adapter,
    options: ConnectOptions,
  ) {
    this.access = new AccessGate(options.access);
    const models = new Map<string, ModelMeta>();
    for (const cls of options.models) {
      if (!cls?.meta) throw new ConfigurationError("connect({ models }) takes model classes returned by model() (or classes extending them)");
      const prev = models.get(cls.meta.table);
      if (prev && prev !== cls.meta) throw new ConfigurationError(`two models use the table "${cls.meta.table}"`);
      models.set(cls.meta.table, cls.meta);
      if (Object.getPrototypeOf(cls) !== Function.prototype && cls.meta.ctor !== cls) useModelClass(cls);
    }
    this.models = models;
    for (const meta of models.values()) this.checkRelations(meta);
    checkAdapter(adapter);
    this.ops = new RecordOps(this);
    for (const meta of models.values()) bindModel(meta, this.ops);
    this.sql = rawSql(this);
  }

  private checkRelations(meta: ModelMeta): void {
    if (meta.options.database !== undefined) {
      // refused rather than ignored: queries would silently go to the connection's own schema
      throw new ConfigurationError(
        `${meta.table}: the model option "database" (a table in another schema or database) is not supported yet; ` +
          "connect those models through their own adapter (e.g. postgres({ url, schema }))",
      );
    }
    for (const field of meta.fields.values()) {
      if (field.kind === "many2one" || field.kind === "one2many" || field.kind === "many2many" || field.kind === "one2one") {
        const target = field.target();
        if (!this.models.has(target.table)) {
          throw new ConfigurationError(`${meta.table}.${field.name} points at "${target.table}", which is not in connect({ models })`);
        }
        field.inverse?.();
      }
    }
  }

  /** Listens to events; `"query"` fires once per statement sent. */
  on<K extends keyof DatabaseEvents>(event: K, listener: (e: DatabaseEvents[K]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  /** Removes a listener added with {@link on}. */
  off<K extends keyof DatabaseEvents>(event: K, listener: (e: DatabaseEvents[K]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  /** Compiles and executes one AST node. @internal */
  run(node: QueryNode, info: StatementInfo): Promise<ExecResult> {
    return this.exec(this.adapter.compiler.compile(node), info);
  }

  /** Executes one compiled statement on the current transaction's connection or the pool. @internal */
  async exec(query: CompiledQuery, info: StatementInfo = {}): Promise<ExecResult> {
    if (this.closed) throw new DotormError("this database was closed; connect again");
    const tx = txStore.getStore();
    const conn = tx?.owner === this ? tx.conn : undefined;
    const listening = this.emitter.has("query");
    const start = listening ? performance.now() : 0;
    let result: ExecResult;
    try {
      result = conn ? await conn.execute(query) : await this.adapter.driver.execute(query);
    } catch (e) {
      const error = e instanceof DotormError ? e : this.adapter.driver.mapError(e, query);
      if (listening) this.emitter.emit("query", { ...query, durationMs: performance.now() - start, rowCount: 0, ...info, error });
      throw error;
    }
    if (listening) {
      const rowCount = result.rows.length || result.affected;
      this.emitter.emit("query", { sql: query.sql, params: query.params, durationMs: performance.now() - start, rowCount, ...info });
    }
    return result;
  }

  /** Streams a SELECT's rows in batches through the driver; one "query" event when it ends. @internal */
  async *streamRows(query: CompiledQuery, batchSize: number, info: StatementInfo): AsyncGenerator<readonly Record<string, unknown>[]> {
    const tx = txStore.getStore();
    const start = performance.now();
    let rowCount = 0;
    try {
      for await (const rows of this.adapter.driver.stream!(query, batchSize, tx?.owner === this ? tx.conn : undefined)) {
        rowCount += rows.length;
        yield rows;
      }
    } catch (e) {
      const error = e instanceof DotormError ? e : this.adapter.driver.mapError(e, query);
      this.emitter.emit("query", { ...query, durationMs: performance.now() - start, rowCount, ...info, error });
      throw error;
    }
    this.emitter.emit("query", { sql: query.sql, params: query.params, durationMs: performance.now() - start, rowCount, ...info });
  }

  /**
   * Runs `fn` in a transaction: every call awaited inside uses one connection (found through
   * AsyncLocalStorage). Commits when `fn` resolves, rolls back when it throws; nested calls are
   * savepoints. Throws `UnsupportedError` where the database has no transactions (ClickHouse).
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const { capabilities, compiler, driver, dialect } = this.adapter;
    if (!capabilities.transactions || !driver.acquire) {
      throw new UnsupportedError("transaction", dialect, "run the statements without a transaction, or keep transactional data in PostgreSQL or MySQL");
    }
    const current = txStore.getStore();
    if (current?.owner === this) {
      const name = `dotorm_sp_${++current.savepoints}`;
      await this.exec({ sql: compiler.savepoint(name), params: [] });
      try {
        const result = await fn();
        await this.exec({ sql: compiler.releaseSavepoint(name), params: [] });
        return result;
      } catch (e) {
        await this.exec({ sql: compiler.rollbackToSavepoint(name), params: [] });
        throw e;
      }
    }
    const conn = await driver.acquire();
    const state = { conn, owner: this, depth: 0, savepoints: 0 };
    try {
      return await txStore.run(state, async () => {
        await this.exec({ sql: compiler.begin(), params: [] });
        let result: T;
        try {
          result = await fn();
        } catch (e) {
          await this.exec({ sql: compiler.rollback(), params: [] }).catch(() => undefined);
          throw e;
        }
        await this.exec({ sql: compiler.commit(), params: [] });
        return result;
      });
    } finally {
      conn.release();
    }
  }

  /** Runs `fn` in a transaction where the database has them, directly otherwise. @internal */
  atomic<T>(fn: () => Promise<T>): Promise<T> {
    return this.adapter.capabilities.transactions ? this.transaction(fn) : fn();
  }

  /** Whether the current async chain is inside a transaction of this database. */
  get inTransaction(): boolean {
    return txStore.getStore()?.owner === this;
  }

  /** Runs `fn` with `session` as the current session for access control (nests and restores). */
  withSession<T>(session: unknown, fn: () => Promise<T>): Promise<T> {
    return sessionStore.run({ session, sudo: false }, fn);
  }

  /** Runs `fn` bypassing the access checker. */
  sudo<T>(fn: () => Promise<T>): Promise<T> {
    return sessionStore.run({ session: sessionStore.getStore()?.session, sudo: true }, fn);
  }

  /**
   * Creates missing tables, columns, indexes, foreign keys and many2many link tables. Never drops
   * or alters; a second run sends no DDL. Returns the statements it ran.
   */
  async sync(): Promise<string[]> {
    const { introspector, ddl, capabilities } = this.adapter;
    const models = [...this.models.values()];
    const tables = [...new Set([...models.map((m) => m.table), ...linkTables(models)])];
    const work = async () => {
      const lock = ddl.syncLock();
      if (lock) await this.exec({ sql: lock, params: [] }, { operation: "sync" });
      const schema = await introspector.introspect((q) => this.exec(q, { operation: "sync" }), tables);
      const statements = planSync(models, schema, ddl, { foreignKeys: capabilities.foreignKeys });
      for (const sql of statements) await this.exec({ sql, params: [] }, { operation: "sync" });
      return statements;
    };
    return capabilities.transactionalDdl ? this.transaction(work) : work();
  }

  /** Closes the pool (or the embedded engine) and unbinds the models. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const meta of this.models.values()) unbindModel(meta, this.ops);
    await this.adapter.driver.close();
  }
}

function linkTables(models: readonly ModelMeta[]): string[] {
  return models.flatMap((m) => [...m.fields.values()].filter((f) => f.kind === "many2many").map((f) => f.link!().table));
}

/**
 * Connects models to a database through an adapter.
 *
 * @example
 * import { connect } from "@dotorm/core";
 * import { postgres } from "@dotorm/postgres";
 * const db = await connect(postgres({ url: process.env.DATABASE_URL }), { models: [User, Chat] });
 */
export async function connect(adapter: Adapter | Promise<Adapter>, options: ConnectOptions): Promise<Database> {
  return new Database(await adapter, options);
}
