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
  limitPassed,
  limitOption,
} from "@dotorm/core";
import mysql from "mysql2/promise";
// Types by name, so the published declarations never default-import mysql2 (TS1192 without esModuleInterop).
import type { Pool } from "mysql2/promise";
import { mapMysqlError } from "./map-mysql-error.js";
import {
  type CoreConnection,
  type CorePool,
  type MysqlCallError,
  StatementWatch,
  breaksConnection,
  hasIdleConnection,
  sendStatement,
  toResult,
} from "./mysql2-calls.js";
import { type CoreConnection as StreamConnectionCore, streamRows } from "./stream-rows.js";

/** Options of the mysql2 pool. */
export interface Mysql2PoolOptions {
  /** `mysql://user:password@host:3306/database`. */
  url?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /** Maximum connections (default 10). */
  max?: number;
  /** Idle connections kept open (default `max`). */
  maxIdle?: number;
  /** Milliseconds before an idle connection is closed (default 60 s). */
  idleTimeoutMillis?: number;
  /** Milliseconds to wait while connecting (default 10 s). */
  connectTimeoutMillis?: number;
  /** How long to wait for a connection from the pool, connecting included (default 10 s). */
  acquireTimeout?: number;
  /**
   * The server stops a statement running longer than this (MariaDB's `max_statement_time`; MySQL's
   * `max_execution_time`, SELECTs only), default 30 s: the call fails with a `QueryError` naming it.
   */
  statementTimeout?: number;
  /**
   * Client-side deadline of every call, and of the wait for each row of a stream (default
   * `statementTimeout` + 5 s, or 35 s): past it the connection is destroyed and the call fails with
   * a `ConnectionError` naming `queryTimeout`.
   */
  queryTimeout?: number;
  /** TCP keep-alive on every connection (default true, first probe after 10 s). */
  keepAlive?: boolean;
  /** Prepare each statement shape once per connection with `execute` (default true). */
  prepare?: boolean;
}

/**
 * Every connection runs in UTC (DATETIME holds UTC, `now` defaults too) and in a known SQL mode:
 * strict (refuse, never truncate), with backslash as the LIKE escape and backticks for identifiers.
 * MariaDB's JSON_ARRAYAGG is a GROUP_CONCAT: at the default group_concat_max_len (1 MB) a larger
 * nested array came back cut mid-value (only a warning) and failed to parse; raised to the 32-bit
 * maximum, the only bound left is the server's max_allowed_packet. MySQL 8 ignores it for JSON.
 */
const sessionSetup =
  "time_zone = '+00:00', group_concat_max_len = 4294967295, " +
  "sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION'";

/**
 * How the server numbers the rows of one INSERT: `step` apart (`auto_increment_increment`, not 1 on
 * Galera clusters), and consecutively for every multi-row INSERT ... VALUES when InnoDB's lock mode
 * is "traditional" (0) or "consecutive" (1, MariaDB's default). In "interleaved" mode (2, MySQL 8's
 * default) a statement's ids are consecutive only while no INSERT ... SELECT runs on the table.
 */
export interface AutoIncrement {
  readonly step: number;
  readonly consecutive: boolean;
}

/** How the server is told the statement time limit: MariaDB and MySQL name (and scale) it differently. */
export type StatementTimeoutSetting = (ms: number) => string;

/** The driver's own options, beyond the pool's. */
export interface Mysql2DriverOptions {
  /** The session variable assignment for `statementTimeout` (default MariaDB's `max_statement_time`). */
  statementTimeoutSetting?: StatementTimeoutSetting;
}

type Settle = (error: MysqlCallError | null, result?: ExecResult) => void;

/**
 * A driver over a `mysql2` pool. Statements go through mysql2's callback API (`pool.pool`): one
 * promise per call of the driver, none of mysql2's promise wrappers (bench/README.md, issue 18).
 */
export class Mysql2Driver implements Driver {
  /** The pool, as `mysql2/promise` wraps it; the driver itself uses the callback pool under it. */
  readonly pool: Pool;
  private readonly core: CorePool;
  private readonly prepare: boolean;
  /** The mysql2 connection behind each transaction's DriverConnection, for streaming inside it. */
  private readonly held = new WeakMap<DriverConnection, CoreConnection>();
  /** The statement watch of each mysql2 connection the driver has had (it also has our error listener). */
  private readonly watches = new WeakMap<CoreConnection, StatementWatch>();
  /** Read from the first connection (the same server for all); unknown until then. */
  autoIncrement?: AutoIncrement;

  private readonly statementTimeout: number;
  private readonly queryTimeout: number;
  private readonly acquireTimeout: number;
  /** `queryTimeout` as a limit, when set (the same object `callLimit` returns for it). */
  private readonly ownLimit: CallLimit | undefined;

  constructor(options: Mysql2PoolOptions, own: Mysql2DriverOptions = {}) {
    this.prepare = options.prepare !== false;
    this.statementTimeout = limitOption("statementTimeout", options.statementTimeout, 30_000);
    this.queryTimeout = limitOption(
      "queryTimeout",
      options.queryTimeout,
      this.statementTimeout > 0 ? this.statementTimeout + 5_000 : 35_000,
    );
    this.acquireTimeout = limitOption("acquireTimeout", options.acquireTimeout, 10_000);
    this.ownLimit = callLimit(undefined, this.queryTimeout);
    const setting = own.statementTimeoutSetting ?? ((ms: number) => `max_statement_time = ${ms / 1000}`);
    const setup = `SET ${sessionSetup}`;
    // apart from the setup: a server without this variable (MariaDB asked for the MySQL flavor)
    // keeps the connection, bounded by queryTimeout alone
    const timeoutSetup = this.statementTimeout > 0 ? `SET ${setting(this.statementTimeout)}` : undefined;
    const max = options.max ?? 10;
    this.pool = mysql.createPool({
      ...(options.url ? { uri: options.url } : {}),
      ...(options.host ? { host: options.host } : {}),
      ...(options.port ? { port: options.port } : {}),
      ...(options.user ? { user: options.user } : {}),
      ...(options.password ? { password: options.password } : {}),
      ...(options.database ? { database: options.database } : {}),
      connectionLimit: max,
      maxIdle: options.maxIdle ?? max,
      idleTimeout: options.idleTimeoutMillis ?? 60_000,
      connectTimeout: options.connectTimeoutMillis ?? 10_000,
      waitForConnections: true,
      enableKeepAlive: options.keepAlive !== false,
      keepAliveInitialDelay: 10_000,
      charset: "utf8mb4_bin",
      // Values reach the core as text where JS numbers or Dates would lose something: DECIMAL and
      // BIGINT (digits), DATE (a calendar day, no instant), JSON (decoded once, by field). DATETIME
      // comes as a Date built in UTC from the binary value (`timezone: "Z"`), sub-millisecond digits
      // dropped as JS Dates must.
      dateStrings: ["DATE"],
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      jsonStrings: true,
      timezone: "Z",
      // No stack capture per call: errors are mapped by DotORM and rejected from the caller's own
      // await chain, and capturing cost a fifth of the client CPU of a get by id.
      trace: false,
      // affectedRows counts matched rows, as on PostgreSQL (an update to equal values still "finds" the row).
      flags: ["FOUND_ROWS"],
    });
    this.core = this.pool.pool as unknown as CorePool;
    this.pool.pool.on("connection", (conn) => {
      conn.query(setup, (err: unknown) => {
        if (err) conn.destroy();
      });
      if (timeoutSetup) conn.query(timeoutSetup, () => undefined);
      if (this.autoIncrement) return;
      conn.query(
        "SELECT @@auto_increment_increment AS step, @@innodb_autoinc_lock_mode AS mode",
        (err: unknown, rows: unknown) => {
          const row =
            !err && Array.isArray(rows) ? (rows[0] as { step?: unknown; mode?: unknown } | undefined) : undefined;
          if (!row) return;
          this.autoIncrement = { step: Number(row.step) || 1, consecutive: Number(row.mode) <= 1 };
        },
      );
    });
  }

  /** One statement on a connection of its own from the pool, within the call's limits. */
  execute(q: CompiledQuery, options?: ExecOptions): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      this.executeWith(q, options, (e, result) => (e ? reject(e) : resolve(result as ExecResult)));
    });
  }

  /** {@link execute} with a callback: core settles one promise of its own per statement. */
  executeWith(q: CompiledQuery, options: ExecOptions | undefined, done: ExecCallback): void {
    this.take(options, (error, conn) => {
      if (error || !conn) return done(error ?? new ConnectionError("no MySQL connection came from the pool"));
      this.send(conn, q, options, (e, result) => {
        if (e && breaksConnection(e)) conn.destroy();
        else conn.release();
        if (e) done(e);
        else done(null, result);
      });
    });
  }

  /**
   * Takes a pool connection within `acquireTimeout` (or the caller's earlier deadline), with its
   * errors caught. An idle connection comes on the next tick: no timer then.
   */
  private take(options: ExecOptions | undefined, done: (error: Error | null, conn?: CoreConnection) => void): void {
    const limit = hasIdleConnection(this.core) ? undefined : callLimit(options, this.acquireTimeout, "acquireTimeout");
    let late = false;
    const timer =
      limit &&
      setTimeout(() => {
        late = true;
        const what = limit.label.startsWith("acquireTimeout")
          ? `acquireTimeout (${this.acquireTimeout} ms)`
          : "the call's deadline";
        done(
          new ConnectionError(
            `no MySQL connection within ${what}: the pool is exhausted or the server does not answer`,
            { cause: limitPassed("the MySQL pool", limit) },
          ),
        );
      }, limit.ms);
    this.core.getConnection((error, conn) => {
      // the connection that comes after the limit goes back to the pool
      if (late) return error ? undefined : conn.release();
      if (timer) clearTimeout(timer);
      if (error) return done(mapMysqlError(error));
      if (!this.watches.has(conn)) {
        this.watches.set(conn, new StatementWatch(this.queryTimeout));
        // A reset while the connection is out must fail the call in flight, never crash the process:
        // mysql2 re-emits such errors on the connection (its pool listens only once).
        conn.on("error", () => undefined);
      }
      done(null, conn);
    });
  }

  /**
   * Sends `q` on `conn` within `queryTimeout` (the connection's watch) or the caller's earlier
   * deadline (a timer of its own). Past the limit the connection is destroyed and `settle` gets the
   * limit's `ConnectionError`; a reply that comes after is dropped.
   */
  private send(conn: CoreConnection, q: CompiledQuery, options: ExecOptions | undefined, settle: Settle): void {
    const step = this.autoIncrement?.step ?? 1;
    let ended = false;
    const expire = (limit: CallLimit) => {
      ended = true;
      conn.destroy();
      settle(limitPassed("MySQL", limit));
    };
    const limit = options?.deadline === undefined ? this.ownLimit : callLimit(options, this.queryTimeout);
    const watch = limit && limit === this.ownLimit ? this.watches.get(conn) : undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (watch) watch.arm(() => expire(limit as CallLimit));
    else if (limit) timer = setTimeout(() => expire(limit), limit.ms);
    sendStatement(conn, q, this.prepare, (error, raw) => {
      if (ended) return;
      ended = true;
      if (watch) watch.disarm();
      else if (timer) clearTimeout(timer);
      if (error) settle(error);
      else settle(null, toResult(raw, step, q.generatedIds));
    });
  }

  /** A pool connection for the caller's statements, one at a time (a transaction's). */
  acquire(options?: ExecOptions): Promise<DriverConnection> {
    return new Promise<DriverConnection>((resolve, reject) => {
      this.take(options, (error, conn) => (error || !conn ? reject(error) : resolve(this.lease(conn))));
    });
  }

  /** {@link acquire} with a callback: core takes a transaction's connection and sends its BEGIN with one promise. */
  acquireWith(options: ExecOptions | undefined, done: (error: unknown, conn?: DriverConnection) => void): void {
    this.take(options, (error, conn) => (error || !conn ? done(error) : done(null, this.lease(conn))));
  }

  private lease(conn: CoreConnection): DriverConnection {
    // A server error leaves the connection usable; a network, protocol or deadline error does not.
    let broken = false;
    const handle: DriverConnection = {
      execute: (q, o) =>
        new Promise<ExecResult>((resolve, reject) => {
          this.send(conn, q, o, (e, result) => {
            if (!e) return resolve(result as ExecResult);
            if (breaksConnection(e)) broken = true;
            reject(e);
          });
        }),
      // the callback form core settles a transaction's statement with (one promise per statement)
      executeWith: (q, o, done) =>
        this.send(conn, q, o, (e, result) => {
          if (!e) return done(null, result);
          if (breaksConnection(e)) broken = true;
          done(e);
        }),
      release: (discard) => (broken || discard ? conn.destroy() : conn.release()),
    };
    this.held.set(handle, conn);
    return handle;
  }

  /** A pool connection within the acquire limits, for a stream. */
  private checkout(options?: ExecOptions): Promise<CoreConnection> {
    return new Promise<CoreConnection>((resolve, reject) => {
      this.take(options, (error, conn) => (error || !conn ? reject(error) : resolve(conn)));
    });
  }

  /** Streams a SELECT on the transaction's connection, or on one taken from the pool for it. */
  async *stream(
    q: CompiledQuery,
    batchSize: number,
    conn?: StreamConnection,
    options?: ExecOptions,
  ): AsyncGenerator<readonly Record<string, unknown>[]> {
    const held = conn && this.held.get(conn.connection);
    // the stream reads the transaction's connection directly: no other statement of it meanwhile
    const unhold = held ? await (conn as StreamConnection).hold() : undefined;
    const own = held
      ? undefined
      : await this.checkout(options).catch((e: unknown) => {
          unhold?.();
          throw e;
        });
    const target = (held ?? own)!;
    let broken = false;
    try {
      yield* streamRows(
        target as unknown as StreamConnectionCore,
        q,
        batchSize,
        this.prepare,
        callLimit(options, this.queryTimeout),
      );
    } catch (e) {
      const err = e as { errno?: unknown; fatal?: boolean };
      broken = err.fatal === true || typeof err.errno !== "number";
      throw e;
    } finally {
      if (own) broken ? own.destroy() : own.release();
      unhold?.();
    }
  }

  /**
   * MySQL rolls back only the failed statement, except on a deadlock (the whole transaction) or a
   * lost connection. https://dev.mysql.com/doc/refman/8.0/en/innodb-error-handling.html
   */
  abortsTransaction(error: unknown): boolean {
    const e = error as { errno?: number; fatal?: boolean };
    return e.fatal === true || typeof e.errno !== "number" || e.errno === 1213;
  }

  mapError(error: unknown, query?: CompiledQuery): Error {
    return mapMysqlError(error, query, this.statementTimeout);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
