import type { CompiledQuery, Driver, DriverConnection, ExecResult } from "@dotorm/core";
import type { PGlite } from "@electric-sql/pglite";
import { mapPgError } from "./map-pg-error.js";

/**
 * A driver over embedded PGlite. PGlite is one session, so a transaction takes it exclusively:
 * statements from outside the transaction wait until it ends instead of running inside it. For
 * the same reason it has no `stream`: a cursor held open would block every other statement while
 * the consumer works, so the core streams by keyset batches instead.
 */
export class PgliteDriver implements Driver {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly db: Promise<PGlite>) {
    // observed here: a PGlite that cannot open fails connect's check (or the first statement), never as an unhandled rejection
    db.catch(() => undefined);
  }

  private async run(q: CompiledQuery): Promise<ExecResult> {
    const db = await this.db;
    const r = await db.query<Record<string, unknown>>(q.sql, q.params as unknown[]);
    return { rows: r.rows, affected: r.affectedRows ?? 0 };
  }

  /** Runs `fn` when no transaction holds the session. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn);
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  execute(q: CompiledQuery): Promise<ExecResult> {
    return this.exclusive(() => this.run(q));
  }

  async acquire(): Promise<DriverConnection> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const prev = this.queue;
    this.queue = prev.then(() => held);
    await prev;
    return { execute: (q) => this.run(q), release };
  }

  mapError(error: unknown): Error {
    return mapPgError(error);
  }

  async close(): Promise<void> {
    await (await this.db.catch(() => undefined))?.close();
  }
}
