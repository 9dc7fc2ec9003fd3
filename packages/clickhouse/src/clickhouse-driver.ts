import { Readable } from "node:stream";
import type { ClickHouseClient } from "@clickhouse/client";
import {
  type CompiledQuery,
  ConnectionError,
  type Driver,
  type ExecOptions,
  type ExecResult,
  type LogEvent,
  callLimit,
  withinLimit,
} from "@dotorm/core";
import type { ClickHouseStatement } from "./clickhouse-compiler.js";
import type { DdlBatches } from "./ddl-batches.js";
import type { LogRelay } from "./log-relay.js";
import { mapClickHouseError } from "./map-clickhouse-error.js";
import { tsvChunks } from "./tsv.js";

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
  readonly stream?: (
    query: CompiledQuery,
    batchSize: number,
    conn?: unknown,
    options?: ExecOptions,
  ) => AsyncIterable<readonly Record<string, unknown>[]>;
  private readonly statementTimeout: number;
  private readonly queryTimeout: number;
  private readonly connectTimeout: number;
  private readonly relay?: LogRelay;
  private readonly batches?: DdlBatches;

  /** `batches`: the DDL compiler's statement groups, sent one statement per request (see {@link DdlBatches}). */
  constructor(
    private readonly client: Promise<ClickHouseClient>,
    options: {
      streams: boolean;
      statementTimeout?: number;
      queryTimeout?: number;
      connectTimeout?: number;
      relay?: LogRelay;
      batches?: DdlBatches;
    } = { streams: true },
  ) {
    this.batches = options.batches;
    this.statementTimeout = options.statementTimeout ?? 0;
    this.queryTimeout = options.queryTimeout ?? 0;
    this.connectTimeout = options.connectTimeout ?? 10_000;
    this.relay = options.relay;
    if (options.streams) this.stream = (query, batchSize, _conn, o) => this.streamRows(query, batchSize, o);
  }

  /**
   * Runs `fn` with an abort signal for the caller's deadline (`db.withTimeout`, below the client's
   * own request timeout): when it fires the request is aborted and the call fails naming the limit.
   */
  private async bounded<T>(options: ExecOptions | undefined, fn: (signal?: AbortSignal) => Promise<T>): Promise<T> {
    const limit = options?.deadline === undefined ? undefined : callLimit(options, 0);
    if (!limit) return fn();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), limit.ms);
    try {
      return await fn(controller.signal);
    } catch (e) {
      if (controller.signal.aborted)
        throw new ConnectionError(`ClickHouse did not answer within ${limit.label}; the request was aborted`, {
          cause: e,
        });
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  execute(query: CompiledQuery, options?: ExecOptions): Promise<ExecResult> {
    return this.bounded(options, (signal) => this.send(query, signal));
  }

  private async send(query: CompiledQuery, abort_signal?: AbortSignal): Promise<ExecResult> {
    const client = await this.client;
    const q = query as ClickHouseStatement;
    const params = Array.isArray(q.params) ? undefined : (q.params as Record<string, unknown>);
    const query_params = params && Object.keys(params).length > 0 ? params : undefined;
    if (q.bulk) {
      const values = Readable.from(tsvChunks(q.bulk.fields, q.bulk.rows), { objectMode: false });
      await client.insert({
        table: q.bulk.table,
        columns: [...q.bulk.columns] as [string, ...string[]],
        values,
        format: "TabSeparated",
        abort_signal,
      });
      return { rows: [], affected: q.bulk.rows.length };
    }
    if (q.ids) {
      // a distributed model's mutation: the ids it touches, then the mutation on the shards, waited for
      const ids = (await this.rows(client, { sql: q.ids.sql, params: params ?? {} }, abort_signal)).map((r) => r.id);
      if (ids.length === 0) return { rows: [], affected: 0 };
      await client.command({
        query: q.sql,
        query_params: { ...params, [q.ids.param]: ids },
        clickhouse_settings: { mutations_sync: "2" },
        abort_signal,
      });
      return { rows: [], affected: ids.length };
    }
    if (q.count) {
      const before = Number((await this.rows(client, q.count, abort_signal))[0]?.n ?? 0);
      if (before === 0) return { rows: [], affected: 0 };
      await client.command({ query: q.sql, query_params, abort_signal });
      return { rows: [], affected: before };
    }
    // raw SQL has no kind: its text says whether rows come back
    if (q.kind === undefined ? READS.test(q.sql) : q.kind === "select")
      return { rows: await this.rows(client, q, abort_signal), affected: 0 };
    const statements = this.batches
      ? await this.batches.expand(q.sql, (table) => this.engineOf(client, table, abort_signal))
      : [q.sql];
    for (const sql of statements) await client.command({ query: sql, query_params, abort_signal });
    return { rows: [], affected: 0 };
  }

  /** The engine of `table` in the current database (undefined when there is none). */
  private async engineOf(
    client: ClickHouseClient,
    table: string,
    abort_signal?: AbortSignal,
  ): Promise<string | undefined> {
    const sql = "SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = {t:String}";
    const [row] = await this.rows(client, { sql, params: { t: table } }, abort_signal);
    return row === undefined ? undefined : String(row.engine);
  }

  private async rows(
    client: ClickHouseClient,
    q: CompiledQuery,
    abort_signal?: AbortSignal,
  ): Promise<Record<string, unknown>[]> {
    const params = Array.isArray(q.params) ? {} : (q.params as Record<string, unknown>);
    const result = await client.query({
      query: q.sql,
      query_params: Object.keys(params).length > 0 ? params : undefined,
      format: "JSONEachRow",
      abort_signal,
    });
    return result.json<Record<string, unknown>>();
  }

  /** Rows of a SELECT in batches of `batchSize`, parsed as the HTTP response arrives. */
  private async *streamRows(
    query: CompiledQuery,
    batchSize: number,
    options?: ExecOptions,
  ): AsyncIterable<readonly Record<string, unknown>[]> {
    const client = await this.client;
    const params = Array.isArray(query.params) ? {} : (query.params as Record<string, unknown>);
    const result = await this.bounded(options, (abort_signal) =>
      client.query({
        query: query.sql,
        query_params: Object.keys(params).length > 0 ? params : undefined,
        format: "JSONEachRow",
        abort_signal,
      }),
    );
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

  /** `SELECT 1` once the client is open (the database created), within `connectTimeout`. */
  async verify(): Promise<void> {
    await withinLimit(
      this.send({ sql: "SELECT 1", params: {} }),
      { ms: this.connectTimeout, label: `connectTimeout (${this.connectTimeout} ms)` },
      "ClickHouse",
      () => undefined,
    );
  }

  /** Routes `@clickhouse/client`'s log to `sink` (dropped when undefined). */
  logTo(sink: ((event: LogEvent) => void) | undefined): void {
    if (this.relay) this.relay.sink = sink;
  }

  mapError(error: unknown): Error {
    return mapClickHouseError(error, { statementTimeout: this.statementTimeout, queryTimeout: this.queryTimeout });
  }

  async close(): Promise<void> {
    await (await this.client.catch(() => undefined))?.close();
  }
}
