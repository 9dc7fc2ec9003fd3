import {
  type CompiledQuery,
  ConnectionError,
  type Driver,
  type DriverConnection,
  type ExecOptions,
  type ExecResult,
  type StreamConnection,
  callLimit,
  executeAlone,
  limitOption,
  withinLimit,
} from "@dotorm/core";
import mysql from "mysql2/promise";
// Types by name, so the published declarations never default-import mysql2 (TS1192 without esModuleInterop).
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { mapMysqlError } from "./map-mysql-error.js";
import { type CoreConnection, streamRows } from "./stream-rows.js";

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

/** Above this many values a statement is sent as text rather than prepared (see `run`). */
const maxPreparedParams = 1000;

type Raw = RowDataPacket[] | ResultSetHeader;

/**
 * The driver's answer. An INSERT whose ids the core reads (`generatedIds`) and that returned no
 * rows reports them here, the one place they are worked out: the server numbers a statement's rows
 * from its insert id, `insertIdStep` apart (see {@link AutoIncrement}).
 */
function toResult(raw: unknown, insertIdStep: number, generatedIds: number | undefined): ExecResult {
  const r = raw as Raw;
  if (Array.isArray(r)) return { rows: r, affected: 0 };
  if (generatedIds === undefined) return { rows: [], affected: r.affectedRows, insertId: r.insertId, insertIdStep };
  const first = Number(r.insertId);
  const ids = new Array<number>(generatedIds);
  for (let i = 0; i < generatedIds; i++) ids[i] = first + i * insertIdStep;
  return { rows: [], affected: r.affectedRows, ids, insertId: r.insertId, insertIdStep };
}

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

/** Anything that runs statements: the pool or one of its connections. */
type Runner = Pick<Pool, "execute" | "query">;

/** How the server is told the statement time limit: MariaDB and MySQL name (and scale) it differently. */
export type StatementTimeoutSetting = (ms: number) => string;

/** The driver's own options, beyond the pool's. */
export interface Mysql2DriverOptions {
  /** The session variable assignment for `statementTimeout` (default MariaDB's `max_statement_time`). */
  statementTimeoutSetting?: StatementTimeoutSetting;
}

/** Underlying mysql2 connections that already have DotORM's error listener. */
const guarded = new WeakSet<object>();

/** A driver over a `mysql2/promise` pool. */
export class Mysql2Driver implements Driver {
  readonly pool: Pool;
  private readonly prepare: boolean;
  /** The mysql2 connection behind each transaction's DriverConnection, for streaming inside it. */
  private readonly held = new WeakMap<DriverConnection, PoolConnection>();
  /** Read from the first connection (the same server for all); unknown until then. */
  autoIncrement?: AutoIncrement;

  private readonly statementTimeout: number;
  private readonly queryTimeout: number;
  private readonly acquireTimeout: number;

  constructor(options: Mysql2PoolOptions, own: Mysql2DriverOptions = {}) {
    this.prepare = options.prepare !== false;
    this.statementTimeout = limitOption("statementTimeout", options.statementTimeout, 30_000);
    this.queryTimeout = limitOption(
      "queryTimeout",
      options.queryTimeout,
      this.statementTimeout > 0 ? this.statementTimeout + 5_000 : 35_000,
    );
    this.acquireTimeout = limitOption("acquireTimeout", options.acquireTimeout, 10_000);
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

  /**
   * Statements with values are prepared (once per shape and connection). Statements without values,
   * and very large one-off ones (a createMany batch), go as text with mysql2 escaping the values:
   * preparing those would cost a round trip and keep a huge cached statement on every connection.
   */
  private async run(runner: Runner, q: CompiledQuery): Promise<ExecResult> {
    const params = q.params as unknown[];
    const step = this.autoIncrement?.step ?? 1;
    if (params.length === 0) return toResult((await runner.query(q.sql))[0], step, q.generatedIds);
    if (this.prepare && params.length <= maxPreparedParams)
      return toResult((await runner.execute(q.sql, params as never))[0], step, q.generatedIds);
    return toResult((await runner.query(q.sql, params))[0], step, q.generatedIds);
  }

  /** One statement on a connection of its own from the pool, within the call's limits. */
  execute(q: CompiledQuery, options?: ExecOptions): Promise<ExecResult> {
    return executeAlone((o) => this.acquire(o), q, options);
  }

  /** A pool connection within `acquireTimeout` (or the caller's earlier deadline), with its errors caught. */
  private async checkout(options?: ExecOptions): Promise<mysql.PoolConnection> {
    const pending = this.pool.getConnection();
    const expire = () =>
      void pending.then(
        (c) => c.release(),
        () => undefined,
      );
    const conn = await withinLimit(
      pending,
      callLimit(options, this.acquireTimeout, "acquireTimeout"),
      "the MySQL pool",
      expire,
    ).catch((e: unknown) => {
      if (e instanceof ConnectionError)
        throw new ConnectionError(
          `no MySQL connection within ${/acquireTimeout/.test(e.message) ? `acquireTimeout (${this.acquireTimeout} ms)` : "the call's deadline"}: the pool is exhausted or the server does not answer`,
          { cause: e },
        );
      throw mapMysqlError(e);
    });
    // A reset while the connection is out must fail the call in flight, never crash the process:
    // mysql2 re-emits such errors on the connection (its pool listens only once).
    const raw = conn.connection as unknown as { on(event: "error", l: () => void): void };
    if (!guarded.has(raw)) {
      guarded.add(raw);
      raw.on("error", () => undefined);
    }
    return conn;
  }

  async acquire(options?: ExecOptions): Promise<DriverConnection> {
    const conn = await this.checkout(options);
    let broken = false;
    const handle: DriverConnection = {
      execute: async (q, o) => {
        try {
          return await withinLimit(this.run(conn, q), callLimit(o, this.queryTimeout), "MySQL", () => {
            broken = true;
            conn.destroy();
          });
        } catch (e) {
          // A server error leaves the connection usable; a network, protocol or deadline error does not.
          const err = e as { errno?: unknown; fatal?: boolean };
          if (err.fatal || typeof err.errno !== "number") broken = true;
          throw e;
        }
      },
      release: (discard) => (broken || discard ? conn.destroy() : conn.release()),
    };
    this.held.set(handle, conn);
    return handle;
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
        target.connection as unknown as CoreConnection,
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
