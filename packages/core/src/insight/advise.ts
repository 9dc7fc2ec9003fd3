import { QueryError } from "../errors.js";
import type { QueryNode } from "../query/ast.js";
import type { CompiledQuery } from "../sql/statement.js";
import type { ExplainPlan, Recommendation } from "./explain-plan.js";
import { type ExplainHost, explainStatement } from "./explain-statement.js";
import type { StatementStat } from "./statement-stats.js";

/** A read the ORM planned, as last sent: what `db.advise()` explains again. */
interface PlannedRead {
  readonly node: QueryNode;
  readonly query: CompiledQuery;
}

/**
 * The last planned read of each statement shape (selects, counts and aggregates the ORM built),
 * bounded like the metrics. Filled on the statement path only while metrics are on.
 */
export class PlannedReads {
  private readonly reads = new Map<string, PlannedRead>();

  constructor(readonly maxShapes = 1000) {}

  /** Keeps `node` as the plan behind `query`'s shape (reads only). */
  note(node: QueryNode, query: CompiledQuery): void {
    if (node.kind !== "select" && node.kind !== "count" && node.kind !== "aggregate") return;
    if (this.reads.size >= this.maxShapes && !this.reads.has(query.sql)) return;
    this.reads.set(query.sql, { node, query });
  }

  get(sql: string): PlannedRead | undefined {
    return this.reads.get(sql);
  }

  has(sql: string): boolean {
    return this.reads.has(sql);
  }
}

/** Options of `db.advise()`. */
export interface AdviseOptions {
  /** How many of the costliest shapes (by total time) to explain (default 10, at most 100). */
  readonly top?: number;
}

/** One recommendation of `db.advise()`, with the statement shapes it would speed up. */
export interface Advice extends Recommendation {
  /** Total time of those shapes so far, in milliseconds: what the ranking is by. */
  readonly totalMs: number;
  readonly calls: number;
  /** The SQL of each shape it came from. */
  readonly statements: readonly string[];
}

/** What `db.on("advise")` listeners receive once per `db.advise()`. */
export interface AdviseEvent {
  /** Shapes explained again. */
  readonly explained: number;
  /** Shapes of `db.stats()` that are not ORM reads (raw SQL, writes, DDL) and so were left out. */
  readonly skipped: number;
  readonly advice: readonly Advice[];
}

/** What `advise` needs from a database (a connected `Database` is one): explaining, and reporting the advice. */
export type AdviseHost = ExplainHost & { readonly emitter: { emit(event: "advise", payload: AdviseEvent): void } };

/**
 * Explains again (without ANALYZE: nothing is run, no rows are read) the `top` costliest shapes
 * of `stats` (by total time) that are reads the ORM planned, with the parameters of their last call, and
 * ranks what the recommendations would save by the total time of the shapes they came from.
 */
export async function advise(
  db: AdviseHost,
  stats: readonly StatementStat[],
  reads: PlannedReads,
  options: AdviseOptions = {},
): Promise<Advice[]> {
  const top = options.top ?? 10;
  if (!Number.isSafeInteger(top) || top < 1 || top > 100)
    throw new QueryError(`advise(): top must be an integer from 1 to 100, got ${String(top)}`, "top");
  const merged = new Map<string, { advice: Recommendation; totalMs: number; calls: number; statements: string[] }>();
  let explained = 0;
  const plannable = stats.filter((s) => s.operation !== "explain" && reads.has(s.sql));
  const skipped = stats.length - plannable.length;
  for (const stat of plannable.slice(0, top)) {
    const read = reads.get(stat.sql) as PlannedRead;
    const plan: ExplainPlan = await explainStatement(db, read.query, { analyze: false }, read.node, stat.model);
    explained++;
    for (const r of plan.recommendations) {
      const key = `${r.kind}:${r.table}:${r.column ?? r.message}`;
      const entry = merged.get(key) ?? { advice: r, totalMs: 0, calls: 0, statements: [] };
      entry.totalMs += stat.totalMs;
      entry.calls += stat.calls;
      entry.statements.push(stat.sql);
      merged.set(key, entry);
    }
  }
  const advice = [...merged.values()]
    .map((e) => ({
      ...e.advice,
      totalMs: Math.round(e.totalMs * 1000) / 1000,
      calls: e.calls,
      statements: e.statements,
    }))
    .sort((a, b) => b.totalMs - a.totalMs);
  db.emitter.emit("advise", { explained, skipped, advice });
  return advice;
}
