import type { ModelMeta } from "../model/model-meta.js";
import type { ReadRequest } from "../query/plan-read.js";
import { planReadShaped } from "../query/read-shape.js";
import { planSecured } from "../access/secure-read.js";
import { cacheFor } from "../query/cache-option.js";
import { totalColumn } from "../sql/sql-compiler.js";
import type { Runner } from "./runner.js";
import { assertLockable } from "./query-ops.js";

/**
 * A page of records and how many match in all (limit and offset aside), as `search` then `count`
 * return them, in one statement where the compiler can say so (`SqlCompiler.countsInline`): the
 * page's SELECT with a leading `(SELECT COUNT(*) ... WHERE <its secured where>)` column, read from
 * the first row and never hydrated. The count is built from the secured select's `where`, so it
 * counts exactly the rows the session may read. Two statements (the page, then a count with that
 * same where) when the select cannot carry it (DISTINCT, locks, several rows per record, ClickHouse)
 * or when the page is empty past its first row (no row carries the total); a page shorter than its
 * limit tells the total itself (offset + records), so the fallback counts only after a full page.
 */
export async function searchAndCount(
  db: Runner,
  model: ModelMeta,
  options: ReadRequest,
): Promise<{ data: object[]; total: number }> {
  if (options.lock !== undefined) assertLockable(db);
  const cache = options.lock === undefined ? cacheFor(model, (options as { cache?: unknown }).cache) : undefined;
  const select = await planSecured(model, db.accessGate(), () => planReadShaped(model, options));
  const compiler = db.adapter.compiler;
  const info = { model: model.table, operation: "search", cache };
  const inline = compiler.countsInline(select);
  const result = await db.run(inline ? { ...select, total: true } : select, info);
  const data = compiler.read(select, result.rows, db.ops.protos);
  const first = result.rows[0];
  if (inline && first) return { data, total: Number(first[totalColumn]) };
  // a page that ends before its limit tells the total itself (offset + records), unless it is empty
  // past the first row (the offset may overshoot) or DISTINCT (a record is not a row)
  const offset = select.offset ?? 0;
  const short = select.limit === undefined || data.length < select.limit;
  if (short && !select.distinct && (data.length > 0 || offset === 0)) return { data, total: offset + data.length };
  const count = await db.run(
    { kind: "count", model, where: select.where },
    { model: model.table, operation: "count", cache },
  );
  return { data, total: Number(count.rows[0]?.n ?? 0) };
}
