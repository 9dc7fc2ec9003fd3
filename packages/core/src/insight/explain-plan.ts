/**
 * The adapter seam for EXPLAIN ({@link PlanReader}) and helpers to read plans. The plan's shape
 * (`ExplainPlan`, `PlanNode`, ...) is declared in `model/explain-types.ts` and re-exported here.
 */

import type { PlanNode } from "../model/explain-types.js";

export type {
  ExplainOptions,
  ExplainPlan,
  PlanAccess,
  PlanNode,
  Recommendation,
  RecommendationKind,
} from "../model/explain-types.js";

/** What an adapter's plan reader makes of the database's answer. */
export interface ReadPlan {
  readonly root: PlanNode;
  readonly raw: unknown;
  readonly timeMs?: number;
}

/**
 * The adapter seam for EXPLAIN: the statement to send, and how to read the answer into a
 * {@link PlanNode} tree. Adapters without one make `explain({ ... })` raise `UnsupportedError`.
 *
 * @example
 * const reader: PlanReader = {
 *   analyzeWrites: "refuse",
 *   statement: (sql, analyze) => `EXPLAIN ${analyze ? "ANALYZE " : ""}FORMAT=JSON ${sql}`,
 *   read: (rows) => ({ root: toNode(JSON.parse(String(rows[0]?.EXPLAIN))), raw: rows }),
 * };
 */
export interface PlanReader {
  /**
   * ANALYZE of a write: `"rollback"` runs it in a transaction (or savepoint) that is always rolled
   * back; `"refuse"` raises `UnsupportedError`.
   */
  readonly analyzeWrites: "rollback" | "refuse";
  /** Whether an index on a column serves an ORDER BY on it (absent: true; ClickHouse's data-skipping indexes do not). */
  readonly indexesSort?: boolean;
  /** The EXPLAIN statement for `sql`; throws `UnsupportedError` when `analyze` cannot be honoured. */
  statement(sql: string, analyze: boolean): string;
  /** Reads the database's answer; `sql` is the statement explained (to resolve its table aliases). */
  read(rows: readonly Record<string, unknown>[], sql: string): ReadPlan;
}

/** Every node of a plan, depth-first from `root`. */
export function planNodes(root: PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    out.push(node);
    for (const child of node.children) walk(child);
  };
  walk(root);
  return out;
}

/** A JSON plan column as the driver returned it: parsed already, or JSON text. */
export function planJson(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}

/** A finite number from a plan value, or undefined. */
export function planNumber(value: unknown): number | undefined {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}
