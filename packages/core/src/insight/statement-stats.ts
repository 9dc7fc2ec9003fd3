import { ConfigurationError } from "../errors.js";
import type { QueryEvent } from "./query-event.js";

/** What `db.stats()` reports for one statement shape (the SQL text; values are bound parameters). */
export interface StatementStat {
  /** The SQL text, parameters as placeholders: one shape for every call with other values. */
  readonly sql: string;
  readonly model?: string;
  readonly operation?: string;
  readonly calls: number;
  /** Rows returned or changed, summed over the calls. */
  readonly rows: number;
  readonly errors: number;
  readonly totalMs: number;
  readonly meanMs: number;
  /** Percentiles over the most recent {@link sampleSize} calls. */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Durations kept per shape for the percentiles (a ring of the most recent calls). */
export const sampleSize = 512;

interface Shape {
  readonly sql: string;
  model?: string;
  operation?: string;
  calls: number;
  rows: number;
  errors: number;
  totalMs: number;
  maxMs: number;
  readonly samples: number[];
}

/** The value at quantile `q` of sorted `values` (nearest rank). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * Per-shape statement metrics, fed by the "query" event: calls, rows, errors and timings. Bounded:
 * past `maxShapes` distinct shapes, new ones are counted in `dropped` instead of kept.
 *
 * @example
 * const stats = new StatementStats();
 * db.on("query", (e) => stats.record(e));
 * stats.list()[0]?.p95Ms;
 */
export class StatementStats {
  private shapes = new Map<string, Shape>();
  /** Statements of shapes not kept because `maxShapes` was reached. */
  dropped = 0;

  constructor(readonly maxShapes = 1000) {
    if (!Number.isSafeInteger(maxShapes) || maxShapes < 1)
      throw new ConfigurationError(`metrics: { maxShapes } takes a positive integer, got ${String(maxShapes)}`);
  }

  /** Adds one statement. */
  record(e: QueryEvent): void {
    let shape = this.shapes.get(e.sql);
    if (!shape) {
      if (this.shapes.size >= this.maxShapes) {
        this.dropped++;
        return;
      }
      shape = {
        sql: e.sql,
        model: e.model,
        operation: e.operation,
        calls: 0,
        rows: 0,
        errors: 0,
        totalMs: 0,
        maxMs: 0,
        samples: [],
      };
      this.shapes.set(e.sql, shape);
    }
    const ms = e.durationMs;
    const i = shape.calls++;
    shape.rows += e.rowCount;
    shape.totalMs += ms;
    if (ms > shape.maxMs) shape.maxMs = ms;
    if (e.error) shape.errors++;
    if (i < sampleSize) shape.samples.push(ms);
    else shape.samples[i % sampleSize] = ms;
  }

  /** Every shape, the most total time first. */
  list(): StatementStat[] {
    const out: StatementStat[] = [];
    for (const s of this.shapes.values()) {
      const sorted = [...s.samples].sort((a, b) => a - b);
      out.push({
        sql: s.sql,
        ...(s.model === undefined ? {} : { model: s.model }),
        ...(s.operation === undefined ? {} : { operation: s.operation }),
        calls: s.calls,
        rows: s.rows,
        errors: s.errors,
        totalMs: round(s.totalMs),
        meanMs: round(s.totalMs / s.calls),
        p50Ms: round(quantile(sorted, 0.5)),
        p95Ms: round(quantile(sorted, 0.95)),
        p99Ms: round(quantile(sorted, 0.99)),
        maxMs: round(s.maxMs),
      });
    }
    return out.sort((a, b) => b.totalMs - a.totalMs);
  }

  /** Forgets every shape. */
  reset(): void {
    this.shapes = new Map();
    this.dropped = 0;
  }
}
