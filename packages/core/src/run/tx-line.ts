import { TransactionError } from "../errors.js";
import type { DriverConnection, ExecCallback, ExecResult } from "./adapter.js";
import { failLater } from "./callback-statement.js";

/**
 * One level of a transaction: the transaction itself (no `savepoint`) or a nested transaction
 * (a savepoint). Statements are bound to the frame whose callback issued them: once that callback
 * settles (or any enclosing one does), the frame refuses them.
 */
export class TxFrame {
  /** The callback of this level has settled: no statement of this level may run any more. */
  settled = false;
  /** A statement failed in a way that left the database unable to commit this level. */
  aborted?: unknown;
  /** Savepoints opened so far under this transaction (root frame only). */
  private count = 0;

  constructor(
    readonly line: TxLine,
    readonly parent?: TxFrame,
    readonly savepoint?: string,
  ) {}

  /** The frame of a nested transaction, with a savepoint name unique in its transaction. */
  child(): TxFrame {
    let root: TxFrame = this;
    while (root.parent) root = root.parent;
    return new TxFrame(this.line, this, `dotorm_sp_${++root.count}`);
  }

  /** Whether this level and every enclosing one are still running their callbacks. */
  get open(): boolean {
    for (let f: TxFrame | undefined = this; f; f = f.parent) if (f.settled) return false;
    return true;
  }

  /** Throws unless statements may still run in this frame. */
  assertOpen(): void {
    if (this.open) return;
    throw new TransactionError(
      "this statement belongs to a transaction that has already finished (committed or rolled back), so it was not run; " +
        "await every statement inside the transaction's callback (e.g. Promise.all instead of unawaited calls)",
      "finished",
    );
  }

  /** Whether `this` is `frame` or nested inside it. */
  within(frame: TxFrame): boolean {
    for (let f: TxFrame | undefined = this; f; f = f.parent) if (f === frame) return true;
    return false;
  }
}

interface Waiter {
  readonly frame: TxFrame;
  readonly start: () => void;
  readonly fail: (e: unknown) => void;
}

/**
 * The connection of one transaction, used one statement at a time: statements wait for the ones
 * queued before them (drivers must never see two at once), and while a nested transaction runs only
 * its own statements reach the connection, so concurrent savepoints never interleave.
 */
export class TxLine {
  /** A statement (or a stream holding the connection) is running on it. */
  private busy = false;
  /** Statements of the holder (and forced ones) waiting for the connection, in order. */
  private queue: (() => void)[] = [];
  private waiters: Waiter[] = [];
  /** The innermost running level: the only one whose statements may be sent now. */
  private holder: TxFrame;
  readonly root: TxFrame;
  /** Starts the next queued statement once the running one settled (one function per line). */
  private readonly next = (): void => {
    this.busy = false;
    this.queue.shift()?.();
  };

  constructor(
    readonly conn: DriverConnection,
    readonly owner: object,
  ) {
    this.root = new TxFrame(this);
    this.holder = this.root;
  }

  /**
   * Runs `fn` on the connection now when it is free, or after the statements queued before it. The
   * promise returned is `fn`'s with `ok` / `fail` applied (the caller's own handling of the
   * statement, e.g. the sender's event and error mapping): one reaction per statement does both
   * that and starting the next statement, since every promise costs a hook call on Node 20 once
   * `AsyncLocalStorage` is in use.
   */
  private enqueue<T, R>(fn: () => Promise<T>, ok?: (r: T) => R, fail?: (e: unknown) => R): Promise<R> {
    if (!this.busy) return this.start(fn, ok, fail);
    return new Promise<R>((resolve, reject) => {
      this.queue.push(() => {
        this.start(fn, ok, fail).then(resolve, reject);
      });
    });
  }

  private start<T, R>(fn: () => Promise<T>, ok?: (r: T) => R, fail?: (e: unknown) => R): Promise<R> {
    this.busy = true;
    let p: Promise<T>;
    try {
      p = fn();
    } catch (e) {
      p = Promise.reject(e);
    }
    // the next statement starts once the caller's handler ran (a failure is noted before it)
    return p.then(
      (r) => {
        try {
          return ok ? ok(r) : (r as unknown as R);
        } finally {
          this.next();
        }
      },
      (e: unknown) => {
        try {
          if (fail) return fail(e);
          throw e;
        } finally {
          this.next();
        }
      },
    );
  }

  /**
   * {@link run} for a statement started with a callback (`begin(done)`, a driver's `executeWith`):
   * one promise for the statement, settled in the driver's callback, which also starts the next one.
   */
  runWith<R>(
    frame: TxFrame,
    begin: (done: ExecCallback) => void,
    ok: ((r: ExecResult) => R) | undefined,
    fail: (e: unknown) => R,
    force = false,
  ): Promise<R> {
    if (!force) frame.assertOpen();
    if ((force || this.holder === frame) && !this.busy) return this.startWith(begin, ok, fail);
    // waits its turn as other statements do (a promise of its own then)
    const fn = () =>
      new Promise<ExecResult>((resolve, reject) =>
        begin((e, r) => (e !== null && e !== undefined ? reject(e) : resolve(r as ExecResult))),
      );
    return force ? this.enqueue(fn, ok, fail) : this.run(frame, fn, ok, fail);
  }

  private startWith<R>(
    begin: (done: ExecCallback) => void,
    ok: ((r: ExecResult) => R) | undefined,
    fail: (e: unknown) => R,
  ): Promise<R> {
    this.busy = true;
    return new Promise<R>((resolve, reject) => {
      let called = false;
      let now = true;
      const settle = (error: unknown, result?: ExecResult) => {
        try {
          if (error !== null && error !== undefined) resolve(failLater(error, fail));
          else resolve(ok ? ok(result as ExecResult) : (result as R));
        } catch (e) {
          reject(e);
        } finally {
          this.next();
        }
      };
      const done: ExecCallback = (error, result) => {
        if (called) return;
        called = true;
        // a driver answering at once (a refusal) is settled after begin returned, as a promise would be
        if (now) queueMicrotask(() => settle(error, result));
        else settle(error, result);
      };
      try {
        begin(done);
      } catch (e) {
        done(e);
      }
      now = false;
    });
  }

  /**
   * Runs `fn` on the connection when `frame` holds it, after every statement queued before; `ok` and
   * `fail` (optional) map its outcome. Throws when `frame` settled.
   */
  run<T, R = T>(frame: TxFrame, fn: () => Promise<T>, ok?: (r: T) => R, fail?: (e: unknown) => R): Promise<R> {
    frame.assertOpen();
    if (this.holder === frame) return this.enqueue(fn, ok, fail);
    return new Promise<R>((resolve, reject) => {
      this.waiters.push({ frame, start: () => this.enqueue(fn, ok, fail).then(resolve, reject), fail: reject });
    });
  }

  /** Takes the connection for `frame` (a stream reading it directly) until the returned function is called. */
  hold(frame: TxFrame): Promise<() => void> {
    return new Promise((resolve, reject) => {
      this.run(frame, () => new Promise<void>((done) => resolve(done))).catch(reject);
    });
  }

  /** Runs `fn` after everything queued, whoever holds the connection (COMMIT, ROLLBACK, savepoint ends). */
  force<T, R = T>(fn: () => Promise<T>, ok?: (r: T) => R, fail?: (e: unknown) => R): Promise<R> {
    return this.enqueue(fn, ok, fail);
  }

  /**
   * Gives the connection to `child` (a nested transaction of `child.parent`) once the parent holds
   * it: other nested transactions of the same parent wait until this one ends.
   */
  enter(child: TxFrame): Promise<void> {
    const parent = child.parent as TxFrame;
    parent.assertOpen();
    return new Promise<void>((resolve, reject) => {
      const start = () => {
        this.holder = child;
        resolve();
      };
      if (this.holder === parent) start();
      else this.waiters.push({ frame: parent, start, fail: reject });
    });
  }

  /** Whether a nested transaction started inside `frame` is still running. */
  nestedRunning(frame: TxFrame): boolean {
    return this.holder !== frame && this.holder.within(frame);
  }

  /** Gives the connection back to the enclosing level once `frame` has ended. */
  leave(frame: TxFrame): void {
    if (this.holder.within(frame) && frame.parent) this.holder = frame.parent;
    this.wake();
  }

  /**
   * Ends `frame` (its callback settled): refuses the statements still waiting in it or below, and
   * takes the connection back from any nested transaction still running inside it.
   */
  settle(frame: TxFrame): void {
    frame.settled = true;
    if (this.holder.within(frame)) this.holder = frame;
    // the common case (nothing waiting: no nested transaction ran concurrently) allocates nothing
    if (this.waiters.length === 0) return;
    const refused = this.waiters.filter((w) => w.frame.within(frame));
    this.waiters = this.waiters.filter((w) => !w.frame.within(frame));
    for (const w of refused) {
      try {
        w.frame.assertOpen();
      } catch (e) {
        w.fail(e);
      }
    }
  }

  private wake(): void {
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i] as Waiter;
      if (w.frame !== this.holder) {
        i++;
        continue;
      }
      this.waiters.splice(i, 1);
      w.start();
      // a nested transaction that just started holds the connection now: rescan from the top
      i = 0;
    }
  }
}
