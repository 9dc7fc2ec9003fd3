/**
 * A pg client while it is out of the pool, as core's `DriverConnection` (what `PgDriver.acquire`
 * gives): a transaction's statements run on it.
 */
import {
  type CallLimit,
  type CompiledQuery,
  ConnectionError,
  DotormError,
  type DriverConnection,
  type ExecCallback,
  type ExecOptions,
  type ExecResult,
  callLimit,
} from "@dotorm/core";
import type pg from "pg";
import { breaks, checkout, connectionLost, settleWith } from "./pg-query.js";

/** What a {@link PgConnection} needs of its driver. */
export interface PgLink {
  /** Sends `q` on `client` (prepared when it should be), with `begin` before it in the same round trip when given. */
  send(
    client: pg.PoolClient,
    q: CompiledQuery,
    limit: CallLimit | undefined,
    expire: () => void,
    done: ExecCallback,
    onError: (e: Error) => void,
    begin?: string,
  ): void;
  /** A client from the pool (errors already mapped). */
  connect(done: (error: unknown, client?: pg.PoolClient) => void): void;
  /** The driver's own limit of every statement (ms). */
  readonly queryTimeout: number;
}

const NOTHING: ExecResult = { rows: [], affected: 0 };

/** Core's BEGIN, COMMIT and ROLLBACK (raw SQL has no kind: a user's own `BEGIN` is sent as written). */
const control = (q: CompiledQuery, sql: string) => q.kind === "other" && q.sql === sql;

/**
 * A checked-out client. Its errors (a reset, a server shutdown) mark it broken instead of crashing
 * the process; a broken one is discarded on release.
 *
 * A transaction's BEGIN is not sent on its own: it goes with the transaction's first statement, in
 * the same write and round trip (extended protocol, one Sync), which saves a round trip per
 * transaction. PostgreSQL takes a transaction's snapshot at its first statement, not at BEGIN, so
 * nothing a transaction sees changes. A transaction with no statement sends nothing at all. When the
 * first statement fails because the connection is gone (the server closed it while it sat in the
 * pool), nothing of the transaction ran: it is sent once more, with its BEGIN, on a fresh connection.
 *
 * @example
 * const conn = await driver.acquire();
 * await conn.execute({ sql: "BEGIN", params: [], kind: "other" }); // kept for the next statement
 * await conn.execute(insert); // BEGIN + INSERT in one round trip
 */
export class PgConnection implements DriverConnection {
  private out: ReturnType<typeof checkout>;
  /** Core's BEGIN, not sent yet: it goes with the next statement. */
  private begin: string | undefined;
  /** Whether nothing was asked of this connection yet (only a first BEGIN is kept back). */
  private fresh = true;
  /** Marks the connection broken when a failed statement leaves it unusable (in pg's callback). */
  private readonly failed = (e: unknown) => {
    if (breaks(e)) this.out.broken = true;
  };

  constructor(
    private readonly link: PgLink,
    private client: pg.PoolClient,
  ) {
    this.out = checkout(client);
  }

  // Not an async function and no reaction of its own: each promise costs a hook call on Node 20
  // once AsyncLocalStorage is in use. Core wraps every driver error in one of its own, made where
  // the caller awaits (the stack users see).
  execute(q: CompiledQuery, options?: ExecOptions): Promise<ExecResult> {
    return new Promise((resolve, reject) => this.executeWith(q, options, settleWith(resolve, reject)));
  }

  executeWith(q: CompiledQuery, options: ExecOptions | undefined, done: ExecCallback): void {
    if (this.out.broken) {
      // broken before the transaction's first statement (the server closed it while it sat in the
      // pool): nothing of the transaction ran, it begins on a fresh connection
      if (this.begin !== undefined) this.replace((error) => (error ? done(error) : this.executeWith(q, options, done)));
      else done(new ConnectionError("the PostgreSQL connection broke (reset or closed by the server); retry the call"));
      return;
    }
    if (this.fresh && control(q, "BEGIN")) {
      this.fresh = false;
      this.begin = q.sql;
      done(null, NOTHING);
      return;
    }
    this.fresh = false;
    const begin = this.begin;
    this.begin = undefined;
    // a transaction that sent nothing has nothing to end
    if (begin !== undefined && (control(q, "COMMIT") || control(q, "ROLLBACK"))) {
      done(null, NOTHING);
      return;
    }
    let limit: CallLimit | undefined;
    try {
      limit = callLimit(options, this.link.queryTimeout);
    } catch (e) {
      done(e);
      return;
    }
    if (begin === undefined) {
      this.send(q, limit, done);
      return;
    }
    this.send(
      q,
      limit,
      (e, result) => {
        // a socket error or a server that ended the session, not a deadline of ours (a DotormError)
        if (e === null || e === undefined || e instanceof DotormError || !connectionLost(e)) return done(e, result);
        this.replace((error) => (error ? done(error) : this.send(q, limit, done, begin)));
      },
      begin,
    );
  }

  release(discard?: boolean): void {
    this.out.release(discard === true);
  }

  private send(q: CompiledQuery, limit: CallLimit | undefined, done: ExecCallback, begin?: string): void {
    try {
      this.link.send(this.client, q, limit, this.out.close, done, this.failed, begin);
    } catch (e) {
      this.failed(e);
      done(e);
    }
  }

  /** Discards the client for a fresh one from the pool. */
  private replace(done: (error?: unknown) => void): void {
    this.out.broken = true;
    this.out.release();
    this.link.connect((error, client) => {
      if (error || !client) {
        this.begin = undefined;
        done(error ?? new ConnectionError("the pool gave no PostgreSQL connection"));
        return;
      }
      this.client = client;
      this.out = checkout(client);
      done();
    });
  }
}
