import type { EventKind } from "../models/events.js";
import { Event } from "../models/events.js";

/** One analytics fact, as the server records it. */
export interface EventInput {
  kind: EventKind;
  user_id?: number | null;
  lead_id?: number | null;
  stage_id?: number | null;
  team_id?: number | null;
  chat_id?: number | null;
  amount?: string | number | null;
  at?: Date;
}

/** Options of {@link EventWriter}. */
export interface EventWriterOptions {
  /** Writes a batch; default `Event.createMany` on the analytics database. */
  write?: (rows: (EventInput & { at: Date })[]) => Promise<unknown>;
  /** Where failures are reported; default console.error. */
  log?: (message: string, error?: unknown) => void;
  /** Delay before a batch is written (events of one request go together). Default 50 ms. */
  delayMs?: number;
  /** First retry delay; doubles up to 30 s. Default 500 ms. */
  retryMs?: number;
  /** Events kept while ClickHouse is unreachable; the oldest are dropped (and counted) past it. Default 100,000. */
  maxQueued?: number;
}

/**
 * Records analytics events without ever failing or slowing the request that caused them: events
 * are queued, written in batches in the background, and a failed write is logged and retried
 * with backoff (the batch stays queued, in order).
 *
 * @example
 * const events = new EventWriter();
 * events.record({ kind: "login", user_id: 7 });   // returns at once
 * await events.flush();                           // in tests and on shutdown
 */
export class EventWriter {
  private queue: (EventInput & { at: Date })[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  private closed = false;
  /** Events dropped because the queue was full. */
  dropped = 0;
  /** Events written so far. */
  written = 0;

  private readonly write: NonNullable<EventWriterOptions["write"]>;
  private readonly log: NonNullable<EventWriterOptions["log"]>;
  private readonly delayMs: number;
  private readonly retryMs: number;
  private readonly maxQueued: number;

  constructor(options: EventWriterOptions = {}) {
    this.write = options.write ?? ((rows) => Event.createMany(rows as never));
    this.log = options.log ?? ((message, error) => console.error(`[crm analytics] ${message}`, error ?? ""));
    this.delayMs = options.delayMs ?? 50;
    this.retryMs = options.retryMs ?? 500;
    this.maxQueued = options.maxQueued ?? 100_000;
  }

  /** Queues an event; never throws. */
  record(event: EventInput): void {
    if (this.closed) return;
    this.queue.push({ ...event, at: event.at ?? new Date() });
    if (this.queue.length > this.maxQueued) {
      const over = this.queue.length - this.maxQueued;
      this.queue.splice(0, over);
      this.dropped += over;
    }
    this.schedule(this.delayMs);
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /** Writes what is queued now; resolves when the queue is empty or the write failed (it stays queued). */
  async flush(): Promise<boolean> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running) await this.running;
    if (this.queue.length === 0) return true;
    await (this.running = this.drain().finally(() => (this.running = undefined)));
    return this.queue.length === 0;
  }

  /** Flushes once more and stops accepting events. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    const batch = this.queue.slice(0, 5000);
    try {
      await this.write(batch);
      this.queue.splice(0, batch.length);
      this.written += batch.length;
      this.failures = 0;
      if (this.queue.length > 0) this.schedule(0);
    } catch (e) {
      this.failures++;
      const wait = Math.min(30_000, this.retryMs * 2 ** (this.failures - 1));
      this.log(`writing ${batch.length} event(s) failed (attempt ${this.failures}); retrying in ${wait} ms`, e);
      this.schedule(wait);
    }
  }
}
