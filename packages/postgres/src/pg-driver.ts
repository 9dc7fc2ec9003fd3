import {
  type CompiledQuery,
  ConnectionError,
  type Driver,
  type DriverConnection,
  type ExecCallback,
  type ExecOptions,
  type ExecResult,
  type StreamConnection,
  type CallLimit,
  callLimit,
  executeAlone,
  limitOption,
  withinLimit,
} from "@dotorm/core";
import pg from "pg";
import { cursorStream } from "./cursor-stream.js";
import { mapPgError, resultChanged } from "./map-pg-error.js";
import { PreparedStatements } from "./prepared-statements.js";
import { PgConnection, type PgLink } from "./pg-connection.js";
import { breaks, checkout, query, queryWith, settleWith } from "./pg-query.js";
import { AcquireTimer } from "./acquire-timer.js";
import { StatementTimer } from "./statement-timer.js";
import { typeParsers } from "./type-parsers.js";

/** Options of the pg pool and its time limits (milliseconds; 0 turns a limit off). */
export interface PgPoolOptions {
  url?: string;
  /** Maximum connections (default 10). */
  max?: number;
  idleTimeoutMillis?: number;
  /** How long to wait for a connection from the pool, connecting included (default 10 s). */
  acquireTimeout?: number;
  /** Former name of `acquireTimeout`, still honoured. */
  connectionTimeoutMillis?: number;
  /**
   * The server cancels a statement running longer than this (PostgreSQL's `statement_timeout`,
   * default 30 s): the call fails with a `QueryError` naming `statementTimeout`.
   */
  statementTimeout?: number;
  /**
   * Client-side deadline of every call (default `statementTimeout` + 5 s, or 35 s): when the server
   * does not answer in time (a dead network, a blackholed connection) the connection is closed and
   * the call fails with a `ConnectionError` naming `queryTimeout`.
   */
  queryTimeout?: number;
  /** TCP keep-alive on every connection, so dead peers are noticed (default true, first probe after 10 s). */
  keepAlive?: boolean;
  /** Schema to use (sets `search_path` at connect time). */
  schema?: string;
  /**
   * Named prepared statements: each statement shape is parsed once per connection (default true).
   * `false` sends every statement unnamed, as a pooler in transaction mode needs (PgBouncer before
   * 1.21, or without `max_prepared_statements`): the next statement may reach another server connection.
   */
  preparedStatements?: boolean;
  /** Former name of `preparedStatements`, still honoured. */
  prepare?: boolean;
  /**
   * Prepared statements kept per connection (default 2000): past it the least recently used one
   * is deallocated on the server before the connection's next statement.
   */
  maxPreparedStatements?: number;
}

/** Statements never worth preparing: a cursor's DECLARE names a new cursor each time. */
const ONE_OFF = /^\s*DECLARE\s/i;

/** A driver over a `pg` pool. */
export class PgDriver implements Driver {
  readonly pool: pg.Pool;
  private readonly prepare: boolean;
  private readonly maxPrepared: number;
  private readonly queryTimeout: number;
  /** The driver's own limit of every statement (`queryTimeout`), timed on one timer per connection. */
  private readonly ownLimit: CallLimit | undefined;
  private readonly acquireTimeout: number;
  private readonly statementTimeout: number;
  /** Every checkout from {@link pool}, bounded by `acquireTimeout` on one timer. */
  private readonly waits: AcquireTimer;

  /** What the connections given out by {@link acquire} use of this driver. */
  private readonly link: PgLink;

  constructor(options: PgPoolOptions) {
    this.prepare = (options.preparedStatements ?? options.prepare) !== false;
    this.maxPrepared = options.maxPreparedStatements ?? 2000;
    this.statementTimeout = limitOption("statementTimeout", options.statementTimeout, 30_000);
    this.queryTimeout = limitOption(
      "queryTimeout",
      options.queryTimeout,
      this.statementTimeout > 0 ? this.statementTimeout + 5_000 : 35_000,
    );
    this.ownLimit = callLimit(undefined, this.queryTimeout);
    this.link = {
      send: (client, q, limit, expire, done, onError, begin) =>
        this.sendWith(client, q, limit, expire, done, onError, begin),
      connect: (done) =>
        this.waits.connect((error, client) => (error ? done(this.acquireError(error)) : done(null, client))),
      queryTimeout: this.queryTimeout,
    };
    this.acquireTimeout = limitOption(
      "acquireTimeout",
      options.acquireTimeout ?? options.connectionTimeoutMillis,
      10_000,
    );
    const connectTimeout = this.acquireTimeout;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.max ?? 10,
      idleTimeoutMillis: options.idleTimeoutMillis ?? 10_000,
      // the wait for a connection is bounded by `waits`, on one timer, not by pg-pool's timer per
      // checkout; making a new connection is bounded by pg's own timer, set here for the client only
      Client: class extends pg.Client {
        constructor(config?: pg.ClientConfig) {
          super({ ...config, connectionTimeoutMillis: connectTimeout });
        }
      },
      keepAlive: options.keepAlive !== false,
      keepAliveInitialDelayMillis: 10_000,
      ...(this.statementTimeout > 0 ? { statement_timeout: this.statementTimeout } : {}),
      types: typeParsers,
      ...(options.schema ? { options: `-c search_path=${options.schema.replace(/[^A-Za-z0-9_]/g, "")}` } : {}),
    });
    // An idle client that dies (server restart, reset) is dropped by the pool; never a crash.
    this.pool.on("error", () => undefined);
    this.waits = new AcquireTimer(this.pool, this.acquireTimeout, () => this.acquireError(undefined, true));
  }

  /**
   * Sends `q` on `client` and calls `done` once, prepared under the connection's name for its shape
   * when it has values or is a compiled read, within `limit`. Statements evicted from the
   * connection's cache are deallocated first, in one round trip. With `begin` (a transaction's
   * BEGIN, kept back by its connection), a prepared statement the connection already parsed goes
   * with it in one round trip; any other is sent after it.
   */
  private sendWith(
    client: pg.PoolClient,
    q: CompiledQuery,
    limit: CallLimit | undefined,
    expire: () => void,
    done: ExecCallback,
    onError?: (e: Error) => void,
    begin?: string,
  ): void {
    const values = q.params as unknown[];
    const timer = limit !== undefined && limit === this.ownLimit ? StatementTimer.of(client, limit) : undefined;
    // a compiled read is prepared even without values (a page with no filter: planned once, not per
    // call); other statements without values (BEGIN, DDL, hand-written SQL that may hold several
    // statements) go as simple queries
    const named = Array.isArray(values) && (values.length > 0 || q.kind === "select");
    const statements =
      this.prepare && named && !ONE_OFF.test(q.sql) ? PreparedStatements.of(client, this.maxPrepared) : undefined;
    if (begin !== undefined && !statements?.parsed(q.sql)) {
      // its BEGIN first (a statement not prepared yet is parsed outside the round trip: see NamedStatement)
      queryWith(
        client,
        begin,
        undefined,
        undefined,
        (e) => (e !== null && e !== undefined ? done(e) : this.sendWith(client, q, limit, expire, done, onError)),
        limit,
        expire,
        timer,
        onError,
      );
      return;
    }
    if (statements === undefined) {
      queryWith(client, q.sql, values, undefined, done, limit, expire, timer, onError);
      return;
    }
    const name = statements.name(q.sql);
    if (begin !== undefined) {
      queryWith(client, q.sql, values, { name, statements, begin }, done, limit, expire, timer, onError);
      return;
    }
    const stale = statements.takeStale();
    if (stale) {
      this.deallocateThenSend(client, statements, stale, q.sql, values, name, limit, expire, onError).then(
        (r) => done(null, r),
        (e: unknown) => done(e),
      );
      return;
    }
    queryWith(client, q.sql, values, { name, statements }, done, limit, expire, timer, onError);
  }

  private async deallocateThenSend(
    client: pg.PoolClient,
    statements: PreparedStatements,
    stale: { sql: string; names: string[] },
    sql: string,
    values: unknown[],
    name: string,
    limit: CallLimit | undefined,
    expire: () => void,
    onError?: (e: Error) => void,
  ): Promise<ExecResult> {
    await query(client, stale.sql, undefined, undefined, limit, expire, undefined, onError).then(
      () => statements.settled(stale.names),
      (e: unknown) => {
        statements.settled(stale.names, e);
        // a server error (the transaction is aborted) leaves the connection as it was
        if (!(e instanceof pg.DatabaseError)) throw e;
      },
    );
    return query(client, sql, values, { name, statements }, limit, expire, undefined, onError);
  }

  /** One statement on a connection of its own from the pool, within the call's limits. */
  async execute(q: CompiledQuery, options?: ExecOptions): Promise<ExecResult> {
    // a caller's deadline also bounds the wait for the connection: through acquire
    if (options?.deadline !== undefined) return executeAlone((o) => this.acquire(o), q, options);
    try {
      return await this.alone(q);
    } catch (e) {
      // as the connection's execute does: a stack that leads back to the caller
      if (e instanceof Error && !(e instanceof ConnectionError)) Error.captureStackTrace(e);
      throw e;
    }
  }

  /**
   * What `executeAlone` over {@link acquire} does (take a connection, send, give it back, dropping
   * a broken one), in one promise with pg's callback APIs: a statement outside a transaction went
   * through five async layers (ten promises) before.
   */
  private alone(q: CompiledQuery): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      this.aloneWith(q, settleWith(resolve, reject));
    });
  }

  /** {@link execute} with a callback: core settles one promise of its own per statement. */
  executeWith(q: CompiledQuery, options: ExecOptions | undefined, done: ExecCallback): void {
    if (options?.deadline === undefined) {
      this.aloneWith(q, done);
      return;
    }
    this.execute(q, options).then(
      (result) => done(null, result),
      (e: unknown) => done(e),
    );
  }

  /** {@link alone} with a callback, called once. */
  private aloneWith(q: CompiledQuery, done: ExecCallback): void {
    this.waits.connect((error, pooled) => {
      if (error || !pooled) return done(this.acquireError(error));
      const client = pooled as pg.PoolClient;
      const out = checkout(client);
      let settled = false;
      let retried = false;
      const finish: ExecCallback = (e, result) => {
        if (settled) return;
        // a statement whose result columns changed since it was prepared did not run: once more,
        // prepared afresh (a transaction cannot: it is aborted, and the error says to run it again)
        if (!retried && resultChanged(e)) {
          retried = true;
          try {
            this.sendWith(client, q, this.ownLimit, out.close, finish);
          } catch (again) {
            finish(again);
          }
          return;
        }
        settled = true;
        const failed = e !== null && e !== undefined;
        if (failed && breaks(e)) out.broken = true;
        out.release();
        if (failed) done(e);
        else done(null, result);
      };
      try {
        this.sendWith(client, q, this.ownLimit, out.close, finish);
      } catch (e) {
        finish(e);
      }
    });
  }

  /**
   * A connection checked out of the pool. Its errors (a reset, a server shutdown) are caught while
   * it is out: they fail the call in flight and the client is discarded on release.
   */
  acquire(options?: ExecOptions): Promise<DriverConnection> {
    // `waits` bounds the wait by acquireTimeout; a caller's earlier deadline ends it sooner (and
    // the connection that comes later goes back to the pool)
    let limit: CallLimit | undefined;
    try {
      limit = callLimit(options, 0);
    } catch (e) {
      return Promise.reject(e);
    }
    if (limit && limit.ms < this.acquireTimeout) return this.connectWithin(limit).then((c) => this.connection(c));
    // one promise: the connection is made in pg-pool's callback
    return new Promise((resolve, reject) => {
      this.waits.connect((error, client) =>
        error ? reject(this.acquireError(error)) : resolve(this.connection(client as pg.PoolClient)),
      );
    });
  }

  /**
   * {@link acquire} with a callback: core takes a transaction's connection and sends its BEGIN with
   * one promise. A caller's deadline earlier than acquireTimeout goes through {@link acquire}.
   */
  acquireWith(options: ExecOptions | undefined, done: (error: unknown, conn?: DriverConnection) => void): void {
    if (options?.deadline !== undefined) {
      this.acquire(options).then((c) => done(null, c), done);
      return;
    }
    this.waits.connect((error, client) =>
      error ? done(this.acquireError(error)) : done(null, this.connection(client as pg.PoolClient)),
    );
  }

  /** A client checked out of the pool as a {@link DriverConnection}. */
  private connection(client: pg.PoolClient): DriverConnection {
    return new PgConnection(this.link, client);
  }

  /** A connection from the pool by the caller's deadline (one that comes later goes back to the pool). */
  private connectWithin(limit: CallLimit): Promise<pg.PoolClient> {
    const pending = this.pool.connect();
    const expire = () =>
      void pending.then(
        (c) => c.release(),
        () => undefined,
      );
    return withinLimit(pending, limit, "PostgreSQL", expire).catch((e: unknown) => {
      throw this.acquireError(e);
    });
  }

  /** The error of a checkout that failed (`e`, pg's) or lasted past acquireTimeout (`late`). */
  private acquireError(e: unknown, late = false): Error {
    const message = (e as Error | undefined)?.message ?? "";
    if (late || /^timeout expired$|timeout exceeded when trying to connect|connection timeout/i.test(message)) {
      return new ConnectionError(
        `no PostgreSQL connection within acquireTimeout (${this.acquireTimeout} ms): the pool is exhausted or the server does not answer`,
        e === undefined ? undefined : { cause: e },
      );
    }
    return mapPgError(e);
  }

  stream(
    q: CompiledQuery,
    batchSize: number,
    conn?: StreamConnection,
    options?: ExecOptions,
  ): AsyncIterable<readonly Record<string, unknown>[]> {
    return cursorStream(q, batchSize, conn, () => this.acquire(options), options);
  }

  mapError(error: unknown): Error {
    return mapPgError(error, this.statementTimeout);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
