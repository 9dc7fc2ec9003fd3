import type { CallLimit } from "@dotorm/core";

/**
 * The client-side time limit of the statements of one connection, one at a time, on one timer
 * for the connection's whole life: each statement re-arms it (`Timeout.refresh`, no allocation),
 * and when it fires while a statement is running, that statement's `expire` runs. It replaces a
 * `setTimeout` and `clearTimeout` per statement (one timer object and its async resource each).
 * A timer that fires between statements does nothing; it is unref'd, so it never keeps the process
 * alive (a running statement's socket does).
 *
 * @example
 * const timer = StatementTimer.of(client, limit);
 * timer.arm(() => { destroy(client); reject(limitPassed("PostgreSQL", limit)); });
 * // ... when the statement settled:
 * timer.disarm();
 */
export class StatementTimer {
  private static readonly byConnection = new WeakMap<object, StatementTimer>();
  private timer: NodeJS.Timeout | undefined;
  private expire: (() => void) | undefined;

  private constructor(readonly limit: CallLimit) {}

  /** The timer of `connection` for `limit` (the driver's own, the same object for every statement). */
  static of(connection: object, limit: CallLimit): StatementTimer {
    let own = StatementTimer.byConnection.get(connection);
    if (!own || own.limit !== limit) StatementTimer.byConnection.set(connection, (own = new StatementTimer(limit)));
    return own;
  }

  /** Starts the limit of a statement: `expire` runs if it is still armed `limit.ms` from now. */
  arm(expire: () => void): void {
    this.expire = expire;
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(this.fire, this.limit.ms).unref();
  }

  /** The statement settled. */
  disarm(): void {
    this.expire = undefined;
  }

  private readonly fire = (): void => {
    const expire = this.expire;
    this.expire = undefined;
    expire?.();
  };
}
