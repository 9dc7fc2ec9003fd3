import { DotormError, type PlanNode, type PlanReader, UnsupportedError, planJson, planNumber } from "@dotorm/core";

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A `ReadFromMergeTree` step with its `Indexes`: the primary (ORDER BY) key is used when its
 * condition is not `true`; a data-skipping index is used when it dropped granules. Granules are
 * those left after the last index, out of those before the first.
 */
function readNode(p: Raw, base: PlanNode): PlanNode {
  const indexes = Array.isArray(p.Indexes) ? (p.Indexes as unknown[]).filter(isObject) : [];
  const primary = indexes.find((i) => i.Type === "PrimaryKey");
  const keyUsed = primary !== undefined && primary.Condition !== "true";
  const skipping = indexes.find(
    (i) => i.Type === "Skip" && (planNumber(i["Selected Granules"]) ?? 0) < (planNumber(i["Initial Granules"]) ?? 0),
  );
  const total = planNumber(indexes[0]?.["Initial Granules"]);
  const selected = planNumber(indexes[indexes.length - 1]?.["Selected Granules"]);
  const description = typeof p.Description === "string" ? p.Description : "";
  const index =
    typeof skipping?.Name === "string"
      ? skipping.Name
      : keyUsed && Array.isArray(primary?.Keys)
        ? `primary key (${primary.Keys.join(", ")})`
        : undefined;
  return {
    ...base,
    access: keyUsed || skipping ? "index" : "full",
    // "database.table"
    ...(description ? { relation: description.slice(description.indexOf(".") + 1) } : {}),
    ...(index ? { index } : {}),
    ...(total === undefined || selected === undefined ? {} : { granules: { selected, total } }),
    keyUsed,
  };
}

function toNode(p: Raw): PlanNode {
  const base: PlanNode = {
    type: String(p["Node Type"]),
    children: Array.isArray(p.Plans) ? (p.Plans as unknown[]).filter(isObject).map(toNode) : [],
  };
  return base.type === "ReadFromMergeTree" ? readNode(p, base) : base;
}

/**
 * ClickHouse (server and chDB): `EXPLAIN indexes = 1, json = 1`: the steps, and for each MergeTree
 * read the keys and indexes used and the granules they selected. ClickHouse has no EXPLAIN
 * ANALYZE (the query log holds actual rows and times), so analyze is refused.
 * https://clickhouse.com/docs/en/sql-reference/statements/explain
 *
 * @example
 * clickhousePlanReader.statement("SELECT 1", false); // "EXPLAIN indexes = 1, json = 1 SELECT 1"
 */
export const clickhousePlanReader: PlanReader = {
  analyzeWrites: "refuse",
  indexesSort: false,
  statement(sql, analyze) {
    if (analyze)
      throw new UnsupportedError(
        "explain({ analyze: true })",
        "clickhouse",
        "ClickHouse has no EXPLAIN ANALYZE: explain without analyze for the granules read, or read system.query_log",
      );
    return `EXPLAIN indexes = 1, json = 1 ${sql}`;
  },
  read(rows) {
    const raw = planJson(Object.values(rows[0] ?? {})[0]);
    const top = Array.isArray(raw) ? raw[0] : raw;
    if (!isObject(top) || !isObject(top.Plan))
      throw new DotormError("ClickHouse answered EXPLAIN json = 1 without a plan");
    return { root: toNode(top.Plan), raw };
  },
};
