import { type CallLimit, type CompiledQuery, ConnectionError, withinLimit } from "@dotorm/core";
import type { Readable } from "node:stream";

/** The callback-style mysql2 connection under a promise one: the part streaming needs. */
export interface CoreConnection {
  execute(sql: string, values: unknown[]): { stream(options?: { highWaterMark?: number }): Readable };
  query(sql: string, values: unknown[]): { stream(options?: { highWaterMark?: number }): Readable };
  on(event: "error" | "end", listener: (e?: unknown) => void): void;
  removeListener(event: "error" | "end", listener: (e?: unknown) => void): void;
  destroy(): void;
}

/**
 * Streams a SELECT's rows in batches. mysql2 pauses the socket when the stream's buffer is full,
 * so at most about `batchSize` rows are held in memory. When the consumer stops early the rest of
 * the result is read and dropped, which leaves the connection usable (callers that own the
 * connection may destroy it instead). A connection that dies mid-stream ends it with a
 * `ConnectionError` (mysql2 reports that to the connection only, which would leave the loop
 * waiting forever), and so does a wait for the next row longer than `limit` (the connection is
 * then destroyed).
 *
 * @example
 * for await (const rows of streamRows(conn.connection, { sql: "SELECT ...", params: [] }, 500, true)) handle(rows);
 */
export async function* streamRows(
  conn: CoreConnection,
  q: CompiledQuery,
  batchSize: number,
  prepare: boolean,
  limit?: CallLimit,
): AsyncGenerator<readonly Record<string, unknown>[]> {
  const params = q.params as unknown[];
  const command = prepare && params.length > 0 ? conn.execute(q.sql, params) : conn.query(q.sql, params);
  const stream = command.stream({ highWaterMark: batchSize });
  const iterator = stream[Symbol.asyncIterator]();
  const died = (e?: unknown) =>
    stream.destroy(
      new ConnectionError(
        `the MySQL connection was lost mid-stream: ${(e as Error | undefined)?.message ?? "closed"}`,
        { cause: e },
      ),
    );
  const ended = () => died();
  conn.on("error", died);
  conn.on("end", ended);
  const next = () => withinLimit(iterator.next(), limit, "MySQL", () => conn.destroy());
  let batch: Record<string, unknown>[] = [];
  let done = false;
  let failed = false;
  try {
    for (let row = await next(); !row.done; row = await next()) {
      batch.push(row.value as Record<string, unknown>);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    done = true;
    if (batch.length > 0) yield batch;
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    // Never `return()` the iterator (that destroys the stream mid-result); read to the end instead.
    try {
      if (!done && !failed && !stream.destroyed) while (!(await next()).done);
    } finally {
      conn.removeListener("error", died);
      conn.removeListener("end", ended);
    }
  }
}
