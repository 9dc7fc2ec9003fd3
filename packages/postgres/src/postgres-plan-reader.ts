import { DotormError, type PlanNode, type PlanReader, planJson, planNumber } from "@dotorm/core";

/** Scans that go through an index (https://www.postgresql.org/docs/current/using-explain.html). */
const indexScans = new Set(["Index Scan", "Index Only Scan", "Bitmap Index Scan", "Bitmap Heap Scan"]);

type Raw = Record<string, unknown>;

/** One node of `EXPLAIN (FORMAT JSON)`; rows and times are per loop there, totals here. */
function toNode(p: Raw): PlanNode {
  const type = String(p["Node Type"]);
  const loops = planNumber(p["Actual Loops"]);
  const perLoop = (v: unknown) => {
    const n = planNumber(v);
    return n === undefined ? undefined : Math.round(n * (loops ?? 1) * 1000) / 1000;
  };
  const method = typeof p["Sort Method"] === "string" ? (p["Sort Method"] as string) : undefined;
  const node: PlanNode = {
    type,
    ...(type === "Seq Scan" ? { access: "full" as const } : indexScans.has(type) ? { access: "index" as const } : {}),
    ...(typeof p["Relation Name"] === "string" ? { relation: p["Relation Name"] } : {}),
    ...(typeof p["Index Name"] === "string" ? { index: p["Index Name"] } : {}),
    ...(planNumber(p["Plan Rows"]) === undefined ? {} : { estimatedRows: planNumber(p["Plan Rows"]) }),
    ...(loops === undefined
      ? {}
      : { loops, actualRows: perLoop(p["Actual Rows"]), timeMs: perLoop(p["Actual Total Time"]) }),
    ...(method
      ? { sortMethod: method, sortSpilled: method.startsWith("external") || p["Sort Space Type"] === "Disk" }
      : {}),
    children: Array.isArray(p.Plans) ? (p.Plans as Raw[]).map(toNode) : [],
  };
  return node;
}

/**
 * PostgreSQL (server and PGlite): `EXPLAIN (FORMAT JSON)`, with `ANALYZE, BUFFERS` when analyzed.
 * ANALYZE runs the statement, so a write is analyzed inside a transaction that is rolled back.
 * https://www.postgresql.org/docs/current/sql-explain.html
 *
 * @example
 * postgresPlanReader.statement("SELECT 1", true); // "EXPLAIN (FORMAT JSON, ANALYZE, BUFFERS) SELECT 1"
 */
export const postgresPlanReader: PlanReader = {
  analyzeWrites: "rollback",
  statement: (sql, analyze) => `EXPLAIN (FORMAT JSON${analyze ? ", ANALYZE, BUFFERS" : ""}) ${sql}`,
  read(rows) {
    const raw = planJson(Object.values(rows[0] ?? {})[0]);
    const top = (Array.isArray(raw) ? raw[0] : raw) as Raw | undefined;
    if (!top || typeof top.Plan !== "object")
      throw new DotormError("PostgreSQL answered EXPLAIN (FORMAT JSON) without a plan");
    const time = planNumber(top["Execution Time"]);
    return { root: toNode(top.Plan as Raw), raw, ...(time === undefined ? {} : { timeMs: time }) };
  },
};
