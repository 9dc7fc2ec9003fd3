import type pg from "pg";

/** Called once: with the connection, or with why there is none (pg-pool's error, or the deadline passed). */
export type Connected = (error: Error | undefined, client?: pg.PoolClient) => void;

/** One caller waiting for a connection; `done` is cleared once it is called. */
interface Wait {
  readonly deadline: number;
  done: Connected | undefined;
}

/** A timer may fire up to this much before its deadline (libuv's clock is in whole, cached ms). */
const EARLY_MS = 1;
/** Settled waits kept at the head of the list before it is compacted. */
const COMPACT_AT = 1024;

/**
 * The bound on every wait for a connection from a pg pool (`acquireTimeout`), kept on one timer
 * for the whole pool. pg-pool's own bound (`connectionTimeoutMillis`) sets a timer, a closure and
 * a search of its queue per checkout, even when an idle connection is there: here a checkout is an
 * entry in a list, in the order of its deadline (they all wait the same time), and the timer is
 * re-armed (`Timeout.refresh`, no allocation) only when nobody waited. When it fires, waits past
 * their deadline fail with `expired()`; a connection that reaches one later goes straight back to
 * the pool. The timer is unref'd: it never keeps a process alive.
 *
 * @example
 * const waits = new AcquireTimer(pool, 10_000, () => new ConnectionError("no connection within 10 s"));
 * waits.connect((error, client) => (error ? fail(error) : use(client)));
 */
export class AcquireTimer {
  private readonly waits: Wait[] = [];
  /** Index of the oldest wait not yet known to be settled. */
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The delay `timer` was made with (what `refresh` re-arms it for). */
  private timerMs = 0;
  private armed = false;

  /**
   * @param pool where connections come from
   * @param ms how long a wait may last (0: no bound)
   * @param expired the error of a wait that lasted too long
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly ms: number,
    private readonly expired: () => Error,
  ) {}

  /** Waits for a connection of the pool, for `ms` at most; `done` is called once. */
  connect(done: Connected): void {
    if (this.ms === 0) {
      this.pool.connect((error, client) => done(error, client));
      return;
    }
    const wait: Wait = { deadline: performance.now() + this.ms, done };
    this.waits.push(wait);
    if (!this.armed) this.arm(this.ms);
    this.pool.connect((error, client) => {
      const settle = wait.done;
      if (settle === undefined) {
        // it expired: the connection goes back, after pg-pool's call returns (pg-pool hands a
        // released connection to its next waiter at once: a run of expired waits would recurse)
        if (client) queueMicrotask(() => client.release());
        return;
      }
      wait.done = undefined;
      this.shed();
      settle(error, client);
    });
  }

  /** Drops settled waits from the head of the list. */
  private shed(): void {
    const waits = this.waits;
    while (this.head < waits.length && waits[this.head]!.done === undefined) this.head++;
    if (this.head === waits.length) {
      waits.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AT && this.head * 2 >= waits.length) {
      waits.splice(0, this.head);
      this.head = 0;
    }
  }

  private arm(delay: number): void {
    this.armed = true;
    if (this.timer !== undefined && this.timerMs === delay) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(this.fire, delay);
    this.timer.unref();
    this.timerMs = delay;
  }

  private readonly fire = (): void => {
    this.armed = false;
    const now = performance.now() + EARLY_MS;
    const late: Connected[] = [];
    const waits = this.waits;
    while (this.head < waits.length) {
      const wait = waits[this.head]!;
      if (wait.done !== undefined) {
        if (wait.deadline > now) break;
        late.push(wait.done);
        wait.done = undefined;
      }
      this.head++;
    }
    this.shed();
    if (this.head < waits.length) this.arm(Math.max(1, waits[this.head]!.deadline - now + EARLY_MS));
    // called once the list is in order: a caller may wait again from its callback
    for (const done of late) done(this.expired());
  };
}
