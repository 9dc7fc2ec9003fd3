import { Readable } from "node:stream";
import type { ClickHouseClient } from "@clickhouse/client";
import type { CompiledQuery, Driver, ExecResult } from "@dotorm/core";
import type { ClickHouseStatement } from "./clickhouse-compiler.js";
import { mapClickHouseError } from "./map-clickhouse-error.js";

/** Statements that answer with rows; anything else is sent as a command. */
const READS = /^\s*(\(?\s*SELECT|WITH|SHOW|DESCRIBE|DESC|EXISTS|EXPLAIN)\b/i;

/**
 * The driver over `@clickhouse/client`, whatever carries it (HTTP or chDB in-process): reads come
 * back as JSONEachRow, inserts go as TabSeparated batches, and mutations are counted first because
 * ClickHouse does not report how many rows an UPDATE or DELETE touched.
 */
export class ClickHouseDriver implements Driver {
  /**
   * Present over HTTP only. chDB hands the client a whole result at once, so a "stream" would hold
   * every row in memory; without it the core reads by keyset batches (`ORDER BY id ... LIMIT n`,
   * a primary-key range on MergeTree), which keeps memory bounded in process too.
   */
  readonly stream?: (query: CompiledQuery, batchSize: number) => AsyncIterable<readonly Record<string, unknown>[]>;

  constructor(
    private readonly client: Promise<ClickHouseClient>,
    options: { streams: boolean } = { streams: true },
  ) {
    if (options.streams) this.stream = (query, batchSize) => this.streamRows(query, batchSize);
  }

  async execute(query: CompiledQuery): Promise<ExecResult> {
    const client = await this.client;
    const q = query as ClickHouseStatement;
    const params = Array.isArray(q.params) ? undefined : (q.params as Record<string, unknown>);
    const query_params = params && Object.keys(params).length > 0 ? params : undefined;
    if (q.insert) {
      const values = Readable.from(q.insert.chunks(), { objectMode: false });
      await client.insert({ table: q.insert.table, columns: [...q.insert.columns] as [string, ...string[]], values, format: "TabSeparated" });
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

  /** Rows of a SELECT in batches of `batchSize`, parsed as the HTTP response arrives. */
  private async *streamRows(query: CompiledQuery, batchSize: number): AsyncIterable<readonly Record<string, unknown>[]> {
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
