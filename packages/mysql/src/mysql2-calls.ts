import type { CompiledQuery, ExecResult } from "@dotorm/core";

/** A mysql2 error as its callbacks report it: a server error has an `errno`; a lost connection is `fatal`. */
export interface MysqlCallError extends Error {
  errno?: number;
  fatal?: boolean;
}

type Callback = (error: MysqlCallError | null, result?: unknown) => void;

/**
 * A connection of mysql2's callback pool (`pool.pool`), the part the driver uses. Its callback API
 * settles each statement once, with no promise wrapper of mysql2's own around it.
 */
export interface CoreConnection {
  query(sql: string, callback: Callback): unknown;
  query(sql: string, values: unknown[], callback: Callback): unknown;
  execute(sql: string, values: unknown[], callback: Callback): unknown;
  release(): void;
  destroy(): void;
  on(event: "error", listener: () => void): unknown;
}

/** mysql2's callback pool, the part the driver uses. */
export interface CorePool {
  getConnection(callback: (error: MysqlCallError | null, connection: CoreConnection) => void): void;
}

/**
 * Whether mysql2's pool holds an idle connection: `getConnection` then hands it over on the next
 * tick and cannot wait, so no acquire timer is needed. Reads the pool's own queue of idle
 * connections; `false` (keep the timer) if a mysql2 version names it otherwise.
 */
export function hasIdleConnection(pool: CorePool): boolean {
  const p = pool as unknown as { _closed?: boolean; _freeConnections?: { length?: unknown } };
  const idle = p._freeConnections?.length;
  return p._closed === false && typeof idle === "number" && idle > 0;
}

/**
 * The client-side deadline of the statement in flight on one connection, on one timer kept for the
 * connection's life: each statement re-arms it (`refresh()`, no new timer) for `ms` from its start.
 * A connection runs its statements one after another, so when the timer fires the statement in
 * flight, if any, is the one that armed it, `ms` ago; when none is, it does nothing. The timer is
 * unref'd: a statement in flight keeps the process alive by its socket, an idle pool does not by it.
 */
export class StatementWatch {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private expire: (() => void) | undefined;

  constructor(private readonly ms: number) {}

  /** Starts the watch of a statement sent now: `expire` runs if it has not ended `ms` from now. */
  arm(expire: () => void): void {
    this.expire = expire;
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(() => this.fire(), this.ms).unref();
  }

  /** The statement ended. */
  disarm(): void {
    this.expire = undefined;
  }

  private fire(): void {
    const expire = this.expire;
    this.expire = undefined;
    expire?.();
  }
}

/** Above this many values a statement is sent as text rather than prepared (see {@link sendStatement}). */
const maxPreparedParams = 1000;

/**
 * The driver's answer. An INSERT whose ids the core reads (`generatedIds`) and that returned no
 * rows reports them here, the one place they are worked out: the server numbers a statement's rows
 * from its insert id, `insertIdStep` apart (see `AutoIncrement`).
 */
export function toResult(raw: unknown, insertIdStep: number, generatedIds: number | undefined): ExecResult {
  if (Array.isArray(raw)) return { rows: raw, affected: 0 };
  const r = raw as { affectedRows: number; insertId: number };
  if (generatedIds === undefined) return { rows: [], affected: r.affectedRows, insertId: r.insertId, insertIdStep };
  const first = Number(r.insertId);
  const ids = new Array<number>(generatedIds);
  for (let i = 0; i < generatedIds; i++) ids[i] = first + i * insertIdStep;
  return { rows: [], affected: r.affectedRows, ids, insertId: r.insertId, insertIdStep };
}

/**
 * Sends one statement through mysql2's callback API. Statements with values are prepared (once per
 * shape and connection, mysql2's statement cache). Statements without values, and very large one-off
 * ones (a createMany batch), go as text with mysql2 escaping the values: preparing those would cost
 * a round trip and keep a huge cached statement on every connection. A synchronous throw of mysql2
 * (a value it cannot bind) is reported through `callback` too.
 */
export function sendStatement(conn: CoreConnection, q: CompiledQuery, prepare: boolean, callback: Callback): void {
  const params = q.params as unknown[];
  try {
    if (params.length === 0) conn.query(q.sql, callback);
    else if (prepare && params.length <= maxPreparedParams) conn.execute(q.sql, params, callback);
    else conn.query(q.sql, params, callback);
  } catch (e) {
    callback(e as MysqlCallError);
  }
}

/** Whether a statement's error leaves its connection unusable: anything but a server error, or a fatal one. */
export function breaksConnection(error: MysqlCallError): boolean {
  return error.fatal === true || typeof error.errno !== "number";
}
