import { ConnectionError, DotormError, TransactionError } from "../errors.js";
import type { Adapter, CompiledQuery, ExecOptions, ExecResult, StreamConnection } from "./adapter.js";
import { type Deadline, deadlineStore, replicaReads, txStore } from "./context.js";
import type { Emitter } from "./events.js";
import type { StatementInfo } from "./runner.js";
import type { TxSend } from "./transaction.js";
import type { TxFrame } from "./tx-line.js";

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
   * `run` applies `ok` (absent when nothing listens) and `fail` to the driver's promise itself: one
   * reaction per statement does all of it. Not an async function: every promise (and every `await`)
   * costs a hook call per promise once `AsyncLocalStorage` is in use (Node 20). Refusals reject,
   * never throw.
   */
  send(
    query: CompiledQuery,
    info: StatementInfo,
    deadline: Deadline | undefined,
    run: (
      o: ExecOptions | undefined,
      ok: ((r: ExecResult) => ExecResult) | undefined,
      fail: (e: unknown) => never,
    ) => Promise<ExecResult>,
    frame?: TxFrame,
  ): Promise<ExecResult> {
    if (this.closed) return Promise.reject(new DotormError("this database was closed; connect again"));
    if (deadline && Date.now() >= deadline.at) {
      return Promise.reject(new ConnectionError(`the statement was not sent: ${deadline.label} had already passed`));
    }
    const listening = this.emitter.has("query");
    const start = listening ? performance.now() : 0;
    const ok = listening
      ? (result: ExecResult) => {
          const rowCount = result.rows.length || result.affected;
          this.emitter.emit("query", {
            sql: query.sql,
            params: query.params,
            durationMs: performance.now() - start,
            rowCount,
            ...info,
          });
          return result;
        }
      : undefined;
    const fail = (e: unknown): never => {
      // a statement of a transaction that failed may leave it unable to commit
      if (frame && !(e instanceof TransactionError)) this.noteFailure(frame, e);
      const error = e instanceof DotormError ? e : this.adapter.driver.mapError(e, query);
      if (listening)
        this.emitter.emit("query", { ...query, durationMs: performance.now() - start, rowCount: 0, ...info, error });
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
  sendIn(
    frame: TxFrame,
    query: CompiledQuery,
    options: { force?: boolean; deadline?: Deadline },
    info: StatementInfo = {},
  ): Promise<ExecResult> {
    const { line } = frame;
    return this.send(
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
    );
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

/** The rejection of what `fn` throws (it always throws). */
function rejected(fn: () => never): Promise<never> {
  try {
    fn();
  } catch (e) {
    return Promise.reject(e);
  }
}
