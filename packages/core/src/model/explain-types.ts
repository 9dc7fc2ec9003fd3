/**
 * The normalised plan `qs.explain({ ... })` and `db.explain(...)` return, the same shape on every
 * dialect. Declared at the bottom of the pipeline so the model and query layers can name what their
 * `explain` returns; query insight (`insight/explain-statement.ts`) produces it, and each adapter
 * turns its database's own plan into it with a `PlanReader` (`insight/explain-plan.ts`).
 */

/** How a plan node reads its table: every row (`"full"`) or through an index or sorting key (`"index"`). */
export type PlanAccess = "full" | "index";

/**
 * One step of a plan. Row counts and times are totals over every loop of the step (PostgreSQL
 * reports them per loop; they are multiplied out here).
 *
 * @example
 * const scans = plan.nodes.filter((n) => n.access === "full").map((n) => n.relation);
 */
export interface PlanNode {
  /** The database's own name for the step: "Seq Scan", "ALL", "ReadFromMergeTree", "Sort", ... */
  readonly type: string;
  /** Set on steps that read a table. */
  readonly access?: PlanAccess;
  /** The table read (its real name, not the statement's alias). */
  readonly relation?: string;
  /** The index (or ClickHouse sorting key / data-skipping index) the step uses. */
  readonly index?: string;
  /** Rows the planner expects (per loop where the database estimates per loop). */
  readonly estimatedRows?: number;
  /** Rows the step produced, over all its loops (analyzed plans only). */
  readonly actualRows?: number;
  /** Times the step ran (analyzed plans only). */
  readonly loops?: number;
  /** Milliseconds the step took, over all its loops (analyzed plans only). */
  readonly timeMs?: number;
  /** Sorts: how the database sorted ("quicksort", "external merge", "filesort", ...). */
  readonly sortMethod?: string;
  /** Sorts: whether the sort spilled to disk (PostgreSQL, analyzed). */
  readonly sortSpilled?: boolean;
  /** ClickHouse reads: granules selected after every index, out of the table's total. */
  readonly granules?: { readonly selected: number; readonly total: number };
  /** ClickHouse reads: whether the filter used the ORDER BY (primary) key. */
  readonly keyUsed?: boolean;
  readonly children: readonly PlanNode[];
}

/** What kind of problem a {@link Recommendation} is about. */
export type RecommendationKind = "missing-index" | "foreign-key-index" | "sort-spill" | "no-granules-skipped";

/**
 * A change that would make the statement cheaper, from the plan and what the ORM planned (the
 * filtered, sorted and joined columns), checked against the indexes the database really has.
 *
 * @example
 * for (const r of plan.recommendations) console.log(r.message, r.ddl ?? "");
 * // add index: true on leads.stage_id  CREATE INDEX "idx_leads_stage_id" ON "leads" ("stage_id")
 */
export interface Recommendation {
  readonly kind: RecommendationKind;
  readonly table: string;
  /** The model field the recommendation is about, where there is one. */
  readonly field?: string;
  readonly column?: string;
  /** One line saying what is wrong and what to do. */
  readonly message: string;
  /** The statement that applies it (what `db.sync()` sends once the model says `index: true`). */
  readonly ddl?: string;
}

/**
 * A normalised plan: the root step, every step depth-first in `nodes`, the database's own plan in
 * `raw`, and the recommendations.
 *
 * @example
 * const plan = await Lead.query().filter({ stage_id: 3 }).explain({ analyze: true });
 * plan.nodes.find((n) => n.relation === "leads")?.actualRows;
 */
export interface ExplainPlan {
  readonly dialect: string;
  /** Whether the statement was run to measure it (`analyze: true`). */
  readonly analyzed: boolean;
  /** The statement explained (the secured read a search would send) and its parameters. */
  readonly sql: string;
  readonly params: readonly unknown[] | Readonly<Record<string, unknown>>;
  readonly root: PlanNode;
  readonly nodes: readonly PlanNode[];
  /** Whole-statement time in milliseconds, where analyzed and the database reports it. */
  readonly timeMs?: number;
  /** The plan as the database returned it (parsed JSON). */
  readonly raw: unknown;
  readonly recommendations: readonly Recommendation[];
}

/** Options of `qs.explain({ ... })` and `db.explain(...)`. */
export interface ExplainOptions {
  /**
   * Run the statement and report actual rows and times (PostgreSQL `ANALYZE`, MariaDB `ANALYZE`).
   * A write is analyzed only where the adapter can roll it back (PostgreSQL); elsewhere refused.
   */
  readonly analyze?: boolean;
}
