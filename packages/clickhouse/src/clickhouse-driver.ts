import type { ClickHouseClient } from "@clickhouse/client";
import type { CompiledQuery, Driver, ExecResult } from "@dotorm/core";
import type { ClickHouseStatement } from "./clickhouse-compiler.js";
import { mapClickHouseError } from "./map-clickhouse-error.js";

/** Statements that answer with rows; anything else is sent as a command. */
const READS = /^\s*(\(?\s*SELECT|WITH|SHOW|DESCRIBE|DESC|EXISTS|EXPLAIN)\b/i;

/**
 * The driver over `@clickhouse/client`, whatever carries it (HTTP or chDB in-process): reads come
 * back as JSONEachRow, inserts go as JSONEachRow batches, and mutations are counted first because
 * ClickHouse does not report how many rows an UPDATE or DELETE touched.
 */
export class ClickHouseDriver implements Driver {
  constructor(private readonly client: Promise<ClickHouseClient>) {}

  async execute(query: CompiledQuery): Promise<ExecResult> {
    const client = await this.client;
    const q = query as ClickHouseStatement;
    const params = Array.isArray(q.params) ? undefined : (q.params as Record<string, unknown>);
    const query_params = params && Object.keys(params).length > 0 ? params : undefined;
    if (q.insert) {
      await client.insert({ table: q.insert.table, columns: [...q.insert.columns] as [string, ...string[]], values: q.insert.rows as unknown[][], format: "JSONCompactEachRow" });
      return { rows: [], affected: q.insert.rows.length };
    }
    if (q.count) {
      const before = Number((await this.rows(client, q.count))[0]?.n ?? 0);
      if (before === 0) return { rows: [], affected: 0 };
      await client.command({ query: q.sql, query_params });
      return { rows: [], affected: before };
    }
    if (q.returnsRows ?? READS.test(q.sql)) return { rows: await this.rows(client, q), affected: 0 };
    await client.command({ query: q.sql, query_params });
    return { rows: [], affected: 0 };
  }

  private async rows(client: ClickHouseClient, q: CompiledQuery): Promise<Record<string, unknown>[]> {
    const params = Array.isArray(q.params) ? {} : (q.params as Record<string, unknown>);
    const result = await client.query({ query: q.sql, query_params: Object.keys(params).length > 0 ? params : undefined, format: "JSONEachRow" });
    return result.json<Record<string, unknown>>();
  }

  /**
   * Rows of a SELECT in batches of `batchSize`, parsed as they arrive. Over HTTP the response is
   * read as a stream; chDB hands the client the whole result at once, so there only the parsing
   * and the batches handed on are bounded.
   */
  async *stream(query: CompiledQuery, batchSize: number): AsyncIterable<readonly Record<string, unknown>[]> {
    const client = await this.client;
    const params = Array.isArray(query.params) ? {} : (query.params as Record<string, unknown>);
    const result = await client.query({ query: query.sql, query_params: Object.keys(params).length > 0 ? params : undefined, format: "JSONEachRow" });
    let batch: Record<string, unknown>[] = [];
    try {
      for await (const rows of result.stream<Record<string, unknown>>()) {
        for (const row of rows) {
          batch.push(row.json());
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      result.close();
    }
  }

  mapError(error: unknown): Error {
    return mapClickHouseError(error);
  }

  async close(): Promise<void> {
    await (await this.client.catch(() => undefined))?.close();
  }
}
