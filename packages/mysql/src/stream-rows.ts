import type { CompiledQuery } from "@dotorm/core";
import type { Readable } from "node:stream";

/** The callback-style mysql2 connection under a promise one: the part streaming needs. */
export interface CoreConnection {
  execute(sql: string, values: unknown[]): { stream(options?: { highWaterMark?: number }): Readable };
  query(sql: string, values: unknown[]): { stream(options?: { highWaterMark?: number }): Readable };
}

/**
 * Streams a SELECT's rows in batches. mysql2 pauses the socket when the stream's buffer is full,
 * so at most about `batchSize` rows are held in memory. When the consumer stops early the rest of
 * the result is read and dropped, which leaves the connection usable (callers that own the
 * connection may destroy it instead).
 *
 * @example
 * for await (const rows of streamRows(conn.connection, { sql: "SELECT ...", params: [] }, 500)) handle(rows);
 */
export async function* streamRows(conn: CoreConnection, q: CompiledQuery, batchSize: number, prepare: boolean): AsyncGenerator<readonly Record<string, unknown>[]> {
  const params = q.params as unknown[];
  const command = prepare && params.length > 0 ? conn.execute(q.sql, params) : conn.query(q.sql, params);
  const stream = command.stream({ highWaterMark: batchSize });
  const iterator = stream[Symbol.asyncIterator]();
  let batch: Record<string, unknown>[] = [];
  let done = false;
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      batch.push(next.value as Record<string, unknown>);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    done = true;
    if (batch.length > 0) yield batch;
  } finally {
    // Never `return()` the iterator (that destroys the stream mid-result); read to the end instead.
    if (!done) while (!(await iterator.next()).done);
  }
}
