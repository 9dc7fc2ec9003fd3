import type { CompiledQuery, Driver, DriverConnection, ExecResult, StreamConnection } from "@dotorm/core";
import pg from "pg";
import { cursorStream } from "./cursor-stream.js";
import { mapPgError } from "./map-pg-error.js";

/** pg type parsers: int8 and numeric stay strings (checked by the core), dates stay "YYYY-MM-DD". */
const passthrough = (value: string) => value;
const typeParsers = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20 || oid === 1700 || oid === 1082 || oid === 1083) return passthrough;
    return pg.types.getTypeParser(oid, format as "text");
  },
};

/** Options of the pg pool. */
export interface PgPoolOptions {
  url?: string;
  /** Maximum connections (default 10). */
  max?: number;
  idleTimeoutMillis?: number;
  /** How long to wait for a free connection before failing (default 30 s). */
  connectionTimeoutMillis?: number;
  /** Schema to use (sets `search_path` at connect time). */
  schema?: string;
  /** Prepare each statement shape once per connection (default true). */
  prepare?: boolean;
}

/**
 * Gives each distinct SQL text a statement name, so pg prepares it once per connection and then
 * only binds and executes. Bounded, so unusual workloads cannot grow it without limit.
 */
class StatementNames {
  private readonly names = new Map<string, string>();
  private next = 0;
  name(sql: string): string | undefined {
    let n = this.names.get(sql);
    if (n === undefined && this.names.size < 2000) this.names.set(sql, (n = `dotorm_${(this.next++).toString(36)}`));
    return n;
  }
}

function toResult(r: pg.QueryResult): ExecResult {
  return { rows: r.rows, affected: r.rowCount ?? 0 };
}

/** A driver over a `pg` pool. */
export class PgDriver implements Driver {
  readonly pool: pg.Pool;
  private readonly names = new StatementNames();
  private readonly prepare: boolean;

  constructor(options: PgPoolOptions) {
    this.prepare = options.prepare !== false;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.max ?? 10,
      idleTimeoutMillis: options.idleTimeoutMillis ?? 10_000,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 30_000,
      types: typeParsers,
      ...(options.schema ? { options: `-c search_path=${options.schema.replace(/[^A-Za-z0-9_]/g, "")}` } : {}),
    });
    // An idle client that dies (server restart) must not crash the process.
    this.pool.on("error", () => undefined);
  }

  private config(q: CompiledQuery): pg.QueryConfig {
    const name = this.prepare && Array.isArray(q.params) && q.params.length > 0 ? this.names.name(q.sql) : undefined;
    return { text: q.sql, values: q.params as unknown[], ...(name ? { name } : {}) };
  }

  async execute(q: CompiledQuery): Promise<ExecResult> {
    return toResult(await this.pool.query(this.config(q)));
  }

  async acquire(): Promise<DriverConnection> {
    const client = await this.pool.connect().catch((e) => {
      throw mapPgError(e);
    });
    let broken = false;
    return {
      execute: async (q) => {
        try {
          return toResult(await client.query(this.config(q)));
        } catch (e) {
          if (!(e as { code?: string }).code) broken = true;
          throw e;
        }
      },
      release: (discard) => client.release(broken || discard),
    };
  }

  stream(q: CompiledQuery, batchSize: number, conn?: StreamConnection): AsyncIterable<readonly Record<string, unknown>[]> {
    return cursorStream(q, batchSize, conn, () => this.acquire());
  }

  mapError(error: unknown): Error {
    return mapPgError(error);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
