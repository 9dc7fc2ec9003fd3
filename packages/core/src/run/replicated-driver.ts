import { ConnectionError } from "../errors.js";
import type { CompiledQuery, Driver, DriverConnection, ExecOptions, ExecResult, StreamConnection } from "./adapter.js";
import type { LogEvent } from "./events.js";

/** One read replica: its driver, and how to ask it how far behind the primary it is. */
export interface Replica {
  /** Where it is, for messages (a URL without its password). */
  readonly name: string;
  readonly driver: Driver;
  /**
   * Milliseconds the replica is behind its primary, or `undefined` when it does not replicate
   * (stopped or broken): the adapter's query (`pg_last_xact_replay_timestamp()`, `Seconds_Behind_Master`).
   */
  lag?(): Promise<number | undefined>;
}

/** Options of {@link ReplicatedDriver}. */
export interface ReplicaOptions {
  /** Skip a replica that is more than this many milliseconds behind (checked at most once a second). Default: no check. */
  readonly maxLag?: number;
  /** How long a replica that failed to answer is left out before it is tried again, in ms (default 30,000). */
  readonly retryAfter?: number;
}

interface ReplicaState {
  readonly replica: Replica;
  /** `Date.now()` before which the replica is left out. */
  downUntil: number;
  /** Last lag reading and when it was taken. */
  lag?: number;
  lagAt: number;
  lagCheck?: Promise<void>;
}

/**
 * A driver that sends reads outside transactions (`ExecOptions.readOnly`, set by the core) to read
 * replicas in turn, and everything else (writes, transactions, raw SQL, DDL) to the primary. A
 * replica that fails with a `ConnectionError` is left out for `retryAfter` and the call is retried on
 * the primary, so a stopped replica costs no failed call; with `maxLag`, a replica further behind
 * than that (or not replicating) is skipped. Adapters build it from `replicas: [url, ...]`.
 *
 * @example
 * const driver = new ReplicatedDriver(primary, [{ name: "replica-1", driver: replicaDriver }], { maxLag: 2000 });
 */
export class ReplicatedDriver implements Driver {
  readonly routesReads = true;
  private readonly states: ReplicaState[];
  private next = 0;
  private sink: ((event: LogEvent) => void) | undefined;

  constructor(
    private readonly primary: Driver,
    replicas: readonly Replica[],
    private readonly options: ReplicaOptions = {},
  ) {
    this.states = replicas.map((replica) => ({ replica, downUntil: 0, lagAt: 0 }));
  }

  execute(query: CompiledQuery, options?: ExecOptions): Promise<ExecResult> {
    if (!options?.readOnly) return this.primary.execute(query, options);
    if (this.options.maxLag !== undefined) return this.executeChecked(query, options);
    // The hot path without a lag bound: no async frame, no await before the replica's call.
    const state = this.nextUp();
    if (!state) return this.primary.execute(query, options);
    return state.replica.driver.execute(query, options).catch((e: unknown) => this.fallBack(state, e, query, options));
  }

  /** A read with a lag bound: the replica's lag may have to be read first. */
  private async executeChecked(query: CompiledQuery, options: ExecOptions): Promise<ExecResult> {
    const state = await this.pickRecent();
    if (!state) return this.primary.execute(query, options);
    return state.replica.driver.execute(query, options).catch((e: unknown) => this.fallBack(state, e, query, options));
  }

  /** A replica's call failed: the primary answers when the replica is down, else the error stands. */
  private fallBack(
    state: ReplicaState,
    error: unknown,
    query: CompiledQuery,
    options: ExecOptions,
  ): Promise<ExecResult> {
    if (!this.isDown(state, error, options)) throw error;
    return this.primary.execute(query, options);
  }

  acquire(options?: ExecOptions): Promise<DriverConnection> {
    if (!this.primary.acquire) throw new ConnectionError("this driver has no dedicated connections");
    return this.primary.acquire(options);
  }

  async *stream(
    query: CompiledQuery,
    batchSize: number,
    conn?: StreamConnection,
    options?: ExecOptions,
  ): AsyncIterable<readonly Record<string, unknown>[]> {
    const primaryStream = () => this.primary.stream!(query, batchSize, conn, options);
    const state =
      conn || !options?.readOnly
        ? undefined
        : this.options.maxLag === undefined
          ? this.nextUp()
          : await this.pickRecent();
    if (!state?.replica.driver.stream) {
      yield* primaryStream();
      return;
    }
    let started = false;
    try {
      for await (const rows of state.replica.driver.stream(query, batchSize, undefined, options)) {
        started = true;
        yield rows;
      }
    } catch (e) {
      // Rows already handed out cannot be taken back: only a stream that failed before its first batch moves.
      if (started || !this.isDown(state, e, options)) throw e;
      yield* primaryStream();
    }
  }

  /** Checks the primary (replicas that do not answer are left out when used, never fatal). */
  async verify(): Promise<void> {
    await (this.primary.verify ? this.primary.verify() : this.primary.execute({ sql: "SELECT 1", params: [] }));
  }

  /** Routes the drivers' logs and this router's own (a replica left out or skipped) to `sink` (`db.on("log")`). */
  logTo(sink: ((event: LogEvent) => void) | undefined): void {
    this.sink = sink;
    this.primary.logTo?.(sink);
    for (const s of this.states) s.replica.driver.logTo?.(sink);
  }

  private log(message: string, error?: Error): void {
    this.sink?.({ level: "warn", message, source: "@dotorm/core", module: "replicas", ...(error ? { error } : {}) });
  }

  abortsTransaction(error: unknown): boolean {
    return this.primary.abortsTransaction?.(error) ?? true;
  }

  mapError(error: unknown, query?: CompiledQuery): Error {
    return this.primary.mapError(error, query);
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close(), ...this.states.map((s) => s.replica.driver.close())]);
  }

  /** The next replica in turn that is up, or none (the primary serves); moves the turn past it. */
  private nextUp(): ReplicaState | undefined {
    const now = Date.now();
    const n = this.states.length;
    for (let i = 0; i < n; i++) {
      const index = (this.next + i) % n;
      const state = this.states[index] as ReplicaState;
      if (state.downUntil <= now) {
        this.next = (index + 1) % n;
        return state;
      }
    }
    return undefined;
  }

  /** With `maxLag`: the next replica in turn that is up and recent enough, or none. */
  private async pickRecent(): Promise<ReplicaState | undefined> {
    const now = Date.now();
    const n = this.states.length;
    for (let i = 0; i < n; i++) {
      const index = (this.next + i) % n;
      const state = this.states[index] as ReplicaState;
      if (state.downUntil <= now && (await this.recentEnough(state))) {
        this.next = (index + 1) % n;
        return state;
      }
    }
    return undefined;
  }

  private async recentEnough(state: ReplicaState): Promise<boolean> {
    if (!state.replica.lag) return true;
    if (Date.now() - state.lagAt > 1000) {
      state.lagCheck ??= state.replica
        .lag()
        .catch(() => undefined)
        .then((lag) => {
          state.lag = lag;
          state.lagAt = Date.now();
          state.lagCheck = undefined;
        });
      await state.lagCheck;
    }
    const ok = state.lag !== undefined && state.lag <= (this.options.maxLag as number);
    if (!ok)
      this.log(
        `replica ${state.replica.name} skipped: ${state.lag === undefined ? "it is not replicating" : `${Math.round(state.lag)} ms behind (maxReplicaLag ${this.options.maxLag} ms)`}`,
      );
    return ok;
  }

  /** Takes a replica out when `error` says it could not be reached; whether the call may move to the primary. */
  private isDown(state: ReplicaState, error: unknown, options?: ExecOptions): boolean {
    // The caller's own deadline passed: the replica is not to blame, and there is no time left to retry.
    if (options?.deadline !== undefined && Date.now() >= options.deadline) return false;
    const mapped = error instanceof ConnectionError ? error : state.replica.driver.mapError(error);
    if (!(mapped instanceof ConnectionError)) return false;
    state.downUntil = Date.now() + (this.options.retryAfter ?? 30_000);
    this.log(
      `replica ${state.replica.name} left out for ${this.options.retryAfter ?? 30_000} ms: ${mapped.message}`,
      mapped,
    );
    return true;
  }
}
