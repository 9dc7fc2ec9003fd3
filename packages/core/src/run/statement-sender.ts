import { ConnectionError, DotormError, TransactionError } from "../errors.js";
import type {
  Adapter,
  CompiledQuery,
  DriverConnection,
  ExecCallback,
  ExecOptions,
  ExecResult,
  StreamConnection,
} from "./adapter.js";
import { type Deadline, deadlineStore, replicaReads, txStore } from "./context.js";
import type { Emitter } from "./events.js";
import type { StatementInfo } from "./runner.js";
import { callbackStatement } from "./callback-statement.js";
import type { TxOpen, TxSend } from "./transaction.js";
import { type TxFrame, TxLine } from "./tx-line.js";

/**
 * How a database's statements reach the driver: the closed and deadline checks, error mapping, the
 * "query" event, a transaction's connection and streamed reads. `Database` owns one. @internal
 */
export class StatementSender {
  /** Set by `db.close()`: nothing is sent any more. */
  closed = false;
  /** `sendIn` as `runTransaction` calls it (one function per database, not per transaction). */
  readonly txSend: TxSend = (frame, query, options) => this.sendIn(frame, query, options);

  constructor(
    private readonly adapter: Adapter,
    private readonly emitter: Emitter,
  ) {}

  /** Throws once the database was closed. */
  assertOpen(): void {
    if (this.closed) throw new DotormError("this database was closed; connect again");
  }

  /**
   * Sends one statement through `run`, with the deadline check, error mapping and the "query" event.
   * `run` applies `ok` (absent when nothing listens and there is no `map`) and `fail` to the driver's
   * promise itself: one reaction per statement does all of it, `map` (the caller's reading of the
   * result, e.g. the new ids of an INSERT) included. Not an async function: every promise (and every
   * `await`) costs a hook call per promise once `AsyncLocalStorage` is in use (Node 20). Refusals
   * reject, never throw. `map` must not throw: it runs in the driver's callback, where an error would
   * carry no stack of the caller's. `after` (the query cache dropping what a write changed) runs once
   * the statement ran or failed, before it settles; when it returns a promise, the statement settles
   * after that promise.
   */
  send<R = ExecResult>(
    query: CompiledQuery,
    info: StatementInfo,
    deadline: Deadline | undefined,
    run: (
      o: ExecOptions | undefined,
      ok: ((r: ExecResult) => R) | undefined,
      fail: (e: unknown) => never,
    ) => Promise<R>,
    frame?: TxFrame,
    map?: (r: ExecResult) => R,
    after?: () => Promise<void> | undefined,
  ): Promise<R> {
    if (this.closed) return Promise.reject(new DotormError("this database was closed; connect again"));
    if (deadline && Date.now() >= deadline.at) {
      return Promise.reject(new ConnectionError(`the statement was not sent: ${deadline.label} had already passed`));
    }
    const listening = this.emitter.has("query");
    const start = listening ? performance.now() : 0;
    const ok =
      listening || after
        ? (result: ExecResult): R => {
            if (listening)
              this.emitter.emit("query", {
                sql: query.sql,
                params: query.params,
                durationMs: performance.now() - start,
                rowCount: result.rows.length || result.affected,
                ...info,
              });
            const value = map ? map(result) : (result as R);
            // a store that drops entries asynchronously: the statement settles once it did
            const pending = after?.();
            return pending ? (pending.then(() => value) as R) : value;
          }
        : map;
    const fail = (e: unknown): never => {
      // a statement of a transaction that failed may leave it unable to commit
      if (frame && !(e instanceof TransactionError)) this.noteFailure(frame, e);
      const error = e instanceof DotormError ? e : this.adapter.driver.mapError(e, query);
      if (listening)
        this.emitter.emit("query", { ...query, durationMs: performance.now() - start, rowCount: 0, ...info, error });
      const pending = after?.();
      if (pending)
        return pending.then(() => {
          throw error;
        }) as never;
      throw error;
    };
    try {
      return run(deadline ? { deadline: deadline.at, deadlineLabel: deadline.label } : undefined, ok, fail);
    } catch (e) {
      return rejected(() => fail(e));
    }
  }

  /**
   * Sends a statement on a transaction's connection, in the level `frame` (refused once that level
   * settled, unless `force`), after the statements queued before it; records a failure that leaves
   * the transaction unable to commit.
   */
  sendIn<R = ExecResult>(
    frame: TxFrame,
    query: CompiledQuery,
    options: { force?: boolean; deadline?: Deadline },
    info: StatementInfo = {},
    map?: (r: ExecResult) => R,
  ): Promise<R> {
    const { line } = frame;
    return this.send<R>(
      query,
      info,
      options.deadline,
      (o, ok, fail) => {
        const { conn } = line;
        // a driver with a callback form: one promise per statement
        if (conn.executeWith)
          return line.runWith(frame, (done) => conn.executeWith?.(query, o, done), ok, fail, options.force);
        const run = () => conn.execute(query, o);
        return options.force ? line.force(run, ok, fail) : line.run(frame, run, ok, fail);
      },
      frame,
      map,
    );
  }

  /**
   * Takes a connection for a transaction of `owner` and sends its BEGIN (as `runTransaction` calls
   * it). With a driver over a callback API (`acquireWith`) both steps settle one promise of core's
   * own; otherwise the connection's promise, then the BEGIN's. A connection that cannot be had fails
   * as the BEGIN (mapped, with its "query" event). When the BEGIN fails, its connection is discarded
   * and the BEGIN is tried once more on another one: nothing ran on it yet, and a connection the server
   * closed while it sat in the pool (a KILL, a restart, a proxy's idle limit) fails its first statement.
   */
  readonly txOpen: TxOpen = (owner, deadline) => {
    const { driver, compiler } = this.adapter;
    const begin: CompiledQuery = { sql: compiler.begin(), params: [], kind: "other" };
    const { acquireWith } = driver;
    if (!acquireWith) return this.openInTurn(owner, begin, deadline);
    let line: TxLine | undefined;
    const attempt = (o: ExecOptions | undefined, done: ExecCallback, again: boolean): void =>
      acquireWith.call(driver, o, (error, conn) => {
        if (error || !conn) return done(error ?? new ConnectionError("the driver gave no connection"));
        const sent: ExecCallback = (e, result) => {
          if (!e) {
            line = new TxLine(conn, owner);
            return done(null, result);
          }
          conn.release(true);
          if (again) attempt(o, done, false);
          else done(e);
        };
        if (conn.executeWith) conn.executeWith(begin, o, sent);
        else conn.execute(begin, o).then((r) => sent(null, r), sent);
      });
    return this.send<TxLine>(
      begin,
      {},
      deadline,
      (o, ok, fail) => callbackStatement((done) => attempt(o, done, true), ok, fail),
      undefined,
      () => line as TxLine,
    );
  };

  /** {@link txOpen} over the driver's promise API: the connection, then the BEGIN on it (tried twice as there). */
  private async openInTurn(
    owner: object,
    begin: CompiledQuery,
    deadline: Deadline | undefined,
    again = true,
  ): Promise<TxLine> {
    const { driver } = this.adapter;
    let conn: DriverConnection;
    try {
      conn = await (driver.acquire as NonNullable<typeof driver.acquire>)(
        deadline ? { deadline: deadline.at, deadlineLabel: deadline.label } : undefined,
      );
    } catch (e) {
      throw driver.mapError(e);
    }
    const line = new TxLine(conn, owner);
    try {
      await this.sendIn(line.root, begin, { deadline });
    } catch (e) {
      line.settle(line.root);
      conn.release(true);
      if (again) return this.openInTurn(owner, begin, deadline, false);
      throw e;
    }
    return line;
  }

  /** Marks `frame` unable to commit when the driver says the error aborted the transaction. */
  private noteFailure(frame: TxFrame, error: unknown): void {
    if (this.adapter.driver.abortsTransaction?.(error) ?? true) frame.aborted ??= error;
  }

  /**
   * Streams a SELECT's rows in batches through the driver, in the transaction of `owner` the call
   * chain runs in (if any); one "query" event when it ends.
   */
  async *stream(
    owner: object,
    query: CompiledQuery,
    batchSize: number,
    info: StatementInfo,
  ): AsyncGenerator<readonly Record<string, unknown>[]> {
    if (this.closed) throw new DotormError("this database was closed; connect again");
    const current = txStore.getStore();
    const frame = current?.line.owner === owner ? current : undefined;
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
}

/** The rejection of what `fn` throws, or the rejecting promise it returns (`fail` waiting for the cache). */
function rejected(fn: () => never): Promise<never> {
  try {
    return fn();
  } catch (e) {
    return Promise.reject(e);
  }
}
