import type { DdlCompiler } from "../sql/ddl-compiler.js";
import { constraintName } from "../sql/constraint-name.js";
import type { SchemaInfo, TableInfo } from "../sql/schema.js";
import type { PlanNode, Recommendation } from "./explain-plan.js";
import type { ReadColumns, TableColumn } from "./read-columns.js";

/** Whether `column` leads an index, the primary key or the ClickHouse sorting key of `info`. */
export function leadsIndex(info: TableInfo | undefined, column: string): boolean {
  if (!info) return false;
  return (
    info.primaryKey[0] === column || info.orderBy?.[0] === column || info.indexes.some((i) => i.columns[0] === column)
  );
}

/**
 * The recommendations for one plan, from its steps, the columns the ORM planned to filter, sort
 * and join on, and the indexes the database really has (`schema`, as the introspector reads it):
 *
 * - a table read in full while a filtered or sorted column of it leads no index: add `index: true`
 *   (sorted columns only where `indexesSort`: ClickHouse's data-skipping indexes do not sort);
 * - a dotted filter path whose foreign-key column leads no index: add `index: true` on it;
 * - a sort that spilled to disk (PostgreSQL, analyzed);
 * - a ClickHouse read whose indexed filter still selected every granule (more than one).
 *
 * @example
 * recommend(plan.nodes, readColumns(select), schema, adapter.ddl);
 * // [{ kind: "missing-index", table: "leads", field: "stage_id", message: "...", ddl: "CREATE INDEX ..." }]
 */
export function recommend(
  nodes: readonly PlanNode[],
  columns: ReadColumns,
  schema: SchemaInfo,
  ddl: DdlCompiler,
  indexesSort = true,
): Recommendation[] {
  const out: Recommendation[] = [];
  const seen = new Set<string>();
  const push = (r: Recommendation) => {
    const key = `${r.kind}:${r.table}:${r.column ?? ""}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(r);
  };
  const indexFor = (c: TableColumn) =>
    ddl.createIndex(constraintName("idx", c.table, [c.column]), c.table, [c.column], false);
  const declared = (c: TableColumn) => c.field.def.options.index === true || c.field.kind === "many2one";
  const advice = (c: TableColumn) =>
    declared(c)
      ? `the model declares the index but the database has none: run db.sync()`
      : `add index: true on ${c.table}.${c.field.name}`;
  const fullReads = new Set(nodes.filter((n) => n.access === "full" && n.relation).map((n) => n.relation as string));

  const lists = [
    [columns.filtered, "filters on"],
    ...(indexesSort ? [[columns.sorted, "sorts on"] as const] : []),
  ] as const;
  for (const [list, what] of lists) {
    for (const c of list) {
      if (!fullReads.has(c.table) || leadsIndex(schema.get(c.table), c.column)) continue;
      push({
        kind: "missing-index",
        table: c.table,
        field: c.field.name,
        column: c.column,
        ddl: indexFor(c),
        message: `${c.table} is read in full and the statement ${what} ${c.column}, which no index leads: ${advice(c)}`,
      });
    }
  }
  for (const c of columns.foreignKeys) {
    if (leadsIndex(schema.get(c.table), c.column)) continue;
    push({
      kind: "foreign-key-index",
      table: c.table,
      field: c.field.name,
      column: c.column,
      ddl: indexFor(c),
      message: `a dotted filter path joins on ${c.table}.${c.column}, which no index leads: ${advice(c)}`,
    });
  }
  for (const n of nodes) {
    if (n.sortSpilled) {
      const first = columns.sorted[0];
      const fix =
        first && !leadsIndex(schema.get(first.table), first.column)
          ? `add index: true on ${first.table}.${first.field.name} so rows come sorted, or `
          : "";
      push({
        kind: "sort-spill",
        table: first?.table ?? n.relation ?? "",
        ...(first ? { field: first.field.name, column: first.column, ddl: fix ? indexFor(first) : undefined } : {}),
        message: `a sort spilled to disk (${n.sortMethod ?? "external"}): ${fix}give the sort more memory (PostgreSQL work_mem) or read fewer rows`,
      });
    }
    const filtered = columns.filtered.filter((c) => c.table === n.relation);
    if (
      n.granules &&
      n.granules.total > 1 &&
      n.granules.selected >= n.granules.total &&
      filtered.length > 0 &&
      !out.some((r) => r.table === n.relation)
    ) {
      const names = filtered.map((c) => c.column).join(", ");
      push({
        kind: "no-granules-skipped",
        table: n.relation as string,
        message: `the filter on ${n.relation} (${names}) skipped no granules (${n.granules.selected} of ${n.granules.total} read): lead clickhouse.orderBy with the filtered column, or use an index type that fits the values`,
      });
    }
  }
  return out;
}
