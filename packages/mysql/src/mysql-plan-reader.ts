import { DotormError, type PlanNode, type PlanReader, UnsupportedError, planJson, planNumber } from "@dotorm/core";
import type { MysqlFlavor } from "./mysql-compiler.js";

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** Steps of the JSON plan that become nodes; every other key is walked through. */
const steps = new Set([
  "query_block",
  "filesort",
  "read_sorted_file",
  "ordering_operation",
  "grouping_operation",
  "duplicates_removal",
  "temporary_table",
  "union_result",
  "materialized",
]);

/**
 * The plan names tables by the statement's aliases (`t0`); DotORM's compiler writes every table
 * as `` FROM `name` alias `` or `` JOIN `name` alias ``, so the aliases map back to tables.
 */
function aliasesOf(sql: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of sql.matchAll(/\b(?:FROM|JOIN)\s+`((?:[^`]|``)+)`\s+(?:AS\s+)?([A-Za-z_]\w*)/gi))
    out.set(m[2] as string, (m[1] as string).replace(/``/g, "`"));
  return out;
}

/**
 * Totals over the loops of a step: `r_rows` is rows read per loop, `r_filtered` the percentage of
 * them the table's condition kept; the product is what the step passed on (PostgreSQL's sense).
 */
function measured(p: Raw): Partial<PlanNode> {
  const loops = planNumber(p.r_loops);
  if (loops === undefined) return {};
  const read = planNumber(p.r_rows);
  const rows = read === undefined ? undefined : (read * (planNumber(p.r_filtered) ?? 100)) / 100;
  const time =
    planNumber(p.r_total_time_ms) ?? (planNumber(p.r_table_time_ms) ?? 0) + (planNumber(p.r_other_time_ms) ?? 0);
  return {
    loops,
    ...(rows === undefined ? {} : { actualRows: Math.round(rows * loops * 1000) / 1000 }),
    timeMs: Math.round(time * 1000) / 1000,
  };
}

function walk(value: unknown, aliases: Map<string, string>): PlanNode[] {
  if (Array.isArray(value)) return value.flatMap((v) => walk(v, aliases));
  if (!isObject(value)) return [];
  const out: PlanNode[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key === "table" && isObject(v)) out.push(tableNode(v, aliases));
    else if (steps.has(key) && isObject(v)) out.push(stepNode(key, v, aliases));
    else if (typeof v === "object") out.push(...walk(v, aliases));
  }
  return out;
}

function stepNode(type: string, p: Raw, aliases: Map<string, string>): PlanNode {
  const sort =
    type === "filesort"
      ? { sortMethod: typeof p.r_sort_mode === "string" ? `filesort (${p.r_sort_mode})` : "filesort" }
      : {};
  return { type, ...sort, ...measured(p), children: walk(p, aliases) };
}

/** A table access: `access_type` ALL (and a full index scan, `index`) reads every row. */
function tableNode(p: Raw, aliases: Map<string, string>): PlanNode {
  const type = String(p.access_type ?? "table");
  const name = typeof p.table_name === "string" ? p.table_name : undefined;
  const estimated = planNumber(p.rows) ?? planNumber(p.rows_examined_per_scan);
  return {
    type,
    access: type === "ALL" || type === "index" ? "full" : "index",
    ...(name ? { relation: aliases.get(name) ?? name } : {}),
    ...(typeof p.key === "string" ? { index: p.key } : {}),
    ...(estimated === undefined ? {} : { estimatedRows: estimated }),
    ...measured(p),
    children: walk(p, aliases),
  };
}

/**
 * MariaDB: `EXPLAIN FORMAT=JSON`, and `ANALYZE FORMAT=JSON` (which runs the statement) when
 * analyzed. MySQL 8: `EXPLAIN FORMAT=JSON`; its `EXPLAIN ANALYZE` has no JSON form, so analyze is
 * refused there. ANALYZE of a write is refused on both: a rollback would not undo it on
 * non-transactional tables (Aria, MyISAM), nor its AUTO_INCREMENT use.
 * https://mariadb.com/kb/en/analyze-format-json/ · https://dev.mysql.com/doc/refman/8.0/en/explain.html
 *
 * @example
 * mysqlPlanReader("mariadb").statement("SELECT 1", true); // "ANALYZE FORMAT=JSON SELECT 1"
 */
export function mysqlPlanReader(flavor: MysqlFlavor): PlanReader {
  return {
    analyzeWrites: "refuse",
    statement(sql, analyze) {
      if (analyze && flavor === "mysql")
        throw new UnsupportedError(
          "explain({ analyze: true })",
          "mysql",
          "MySQL's EXPLAIN ANALYZE has no JSON form; explain without analyze",
        );
      return `${analyze ? "ANALYZE" : "EXPLAIN"} FORMAT=JSON ${sql}`;
    },
    read(rows, sql) {
      const raw = planJson(Object.values(rows[0] ?? {})[0]);
      if (!isObject(raw)) throw new DotormError(`${flavor} answered EXPLAIN FORMAT=JSON without a plan`);
      const nodes = walk(raw, aliasesOf(sql));
      const root = nodes.length === 1 ? (nodes[0] as PlanNode) : { type: "plan", children: nodes };
      const block = isObject(raw.query_block) ? planNumber(raw.query_block.r_total_time_ms) : undefined;
      return { root, raw, ...(block === undefined ? {} : { timeMs: block }) };
    },
  };
}
