/**
 * One statement over pg's callback API, and a client while it is out of the pool: what `PgDriver`
 * sends with (`pg-driver.ts`).
 */
import { type CallLimit, type ExecCallback, type ExecResult, limitPassed } from "@dotorm/core";
import pg from "pg";
import { NamedStatement } from "./named-statement.js";
import type { PreparedStatements } from "./prepared-statements.js";
import type { StatementTimer } from "./statement-timer.js";

/** A prepared statement's name on a connection, and the connection's statements (their row readers). */
export interface Prepared {
  name: string;
  statements: PreparedStatements;
  /** A transaction's BEGIN, sent before the statement in the same round trip (the statement must be parsed). */
  begin?: string;
}

type QueryCallback = (error: Error | null, result: pg.QueryResult) => void;
/** pg's Query, as its callback API takes it (the typings only know the event-emitter side). */
const PgQuery = pg.Query as unknown as new (
  text: string,
  values: unknown[] | undefined,
  callback: QueryCallback,
) => pg.Submittable;

/**
 * Sends one statement through pg's callback API, as a prepared statement when `prepared` names it
 * (a {@link NamedStatement}: described once per connection, not on every call), and calls `done`
 * once with its result, within the call's time limit (`expire` closes the connection when it
 * passes, as `withinLimit` does).
 *
 * Any other statement is pg's own Query, built from the SQL text with its callback in the
 * constructor: pg's promise API sets the callback afterwards, which cost ~40% more client CPU on a
 * page of 100 rows (bench/README.md, 2026-12-01); and a config object (`{ text, values }`) is copied
 * by pg through `Object.getOwnPropertyDescriptors` for every statement (~4 µs each).
 */
export function queryWith(
  client: pg.PoolClient,
  text: string,
  values: unknown[] | undefined,
  prepared: Prepared | undefined,
  done: ExecCallback,
  limit?: CallLimit,
  expire?: () => void,
  timer?: StatementTimer,
  onError?: (e: Error) => void,
): void {
  let settled = false;
  const finish = (error: unknown, result?: ExecResult) => {
    if (settled) return;
    settled = true;
    done(error, result);
  };
  const passed = () => {
    try {
      expire?.();
    } finally {
      finish(limitPassed("PostgreSQL", limit as CallLimit));
    }
  };
  // the driver's own limit on the connection's timer; a caller's deadline on a timer of its own
  const own = limit && timer?.limit === limit ? timer : undefined;
  const deadline = limit && !own ? setTimeout(passed, limit.ms) : undefined;
  own?.arm(passed);
  const settle: ExecCallback = (error, result) => {
    if (deadline) clearTimeout(deadline);
    own?.disarm();
    if (error !== null && error !== undefined) {
      onError?.(error as Error);
      finish(error);
    } else finish(null, result);
  };
  if (prepared !== undefined && values !== undefined) {
    client.query(new NamedStatement(text, values, prepared.name, prepared.statements, settle, prepared.begin));
    return;
  }
  client.query(
    new PgQuery(text, values, (error, result) =>
      error ? settle(error) : settle(null, { rows: result.rows, affected: result.rowCount ?? 0 }),
    ),
  );
}

/** {@link queryWith} as one promise. */
export function query(
  client: pg.PoolClient,
  text: string,
  values: unknown[] | undefined,
  prepared: Prepared | undefined,
  limit?: CallLimit,
  expire?: () => void,
  timer?: StatementTimer,
  onError?: (e: Error) => void,
): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    queryWith(client, text, values, prepared, settleWith(resolve, reject), limit, expire, timer, onError);
  });
}

/** A callback that settles a promise. */
export function settleWith(resolve: (r: ExecResult) => void, reject: (e: unknown) => void): ExecCallback {
  return (error, result) => (error !== null && error !== undefined ? reject(error) : resolve(result as ExecResult));
}

/**
 * Whether a failed statement leaves its connection unusable: a server error does not, anything else
 * (network, deadline) does, and so does a server error that ended the session (FATAL: terminated by
 * an administrator, shut down).
 */
export function breaks(e: unknown): boolean {
  return !(e instanceof pg.DatabaseError) || e.severity === "FATAL" || e.severity === "PANIC";
}

/**
 * Whether `e` says the connection itself is gone (a socket error, pg finding the connection ended,
 * or a server that ended the session), not that one statement failed. A value pg cannot send breaks
 * the connection for {@link breaks} (it is discarded to be safe) but the connection was not lost.
 */
export function connectionLost(e: unknown): boolean {
  if (e instanceof pg.DatabaseError) return e.severity === "FATAL" || e.severity === "PANIC";
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  return (
    (typeof code === "string" && /^E[A-Z]+$/.test(code)) ||
    /Connection terminated|not queryable|connection error/i.test(typeof message === "string" ? message : "")
  );
}

/** Closes a client's socket at once (end() would wait for a peer that may never answer). */
function destroy(client: pg.PoolClient): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/**
 * A client while it is out of the pool: its errors (a reset, a server shutdown) mark it broken
 * instead of crashing the process, `close` ends its socket at once (a call past its limit), and
 * `release` gives it back, discarding it when broken.
 */
export function checkout(client: pg.PoolClient) {
  let released = false;
  const state = {
    broken: false,
    close: () => {
      state.broken = true;
      destroy(client);
    },
    release: (discard = false) => {
      if (released) return;
      released = true;
      client.removeListener("error", onError);
      client.release(state.broken || discard);
    },
  };
  const onError = () => {
    state.broken = true;
  };
  client.on("error", onError);
  return state;
}
