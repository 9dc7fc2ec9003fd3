import { QueryError, UnsupportedError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { hydrate } from "../hydrate/hydrate.js";
import type { AggregateItem, CondNode, SelectNode } from "../query/ast.js";
import { afterCursor, afterValues, encodeCursor, keysetOrder, sortKey } from "../query/keyset.js";
import { type AggregateRequest, planAggregate } from "../query/plan-aggregate.js";
import { type ReadRequest, planRead } from "../query/plan-read.js";
import { planSecured, secureKeysetOrder, secureRead } from "../access/secure-read.js";
import type { Runner } from "./runner.js";
import { cacheFor } from "../query/cache-option.js";
import type { ExplainPlan } from "../insight/explain-plan.js";
import { checkExplainOptions, explainStatement } from "../insight/explain-statement.js";

/** Aggregates: one row per group (or one row), counts as numbers, decimals as strings. */
export async function aggregate(
  db: Runner,
  model: ModelMeta,
  req: AggregateRequest,
): Promise<Record<string, unknown>[]> {
  const node = await secureRead(planAggregate(model, req), db.accessGate());
  const result = await db.run(node, {
    model: model.table,
    operation: "aggregate",
    cache: cacheFor(model, (req as { cache?: unknown }).cache),
  });
  const compiler = db.adapter.compiler;
  const groups: SelectNode = { kind: "select", model, items: node.groupBy, order: [] };
  const keys = hydrate(groups, result.rows, (f, raw, inJson) => compiler.decode(f, raw, inJson));
  return result.rows.map((row, i) => {
    const out: Record<string, unknown> = { ...(keys[i] as object) };
    for (const item of node.aggregates)
      out[item.alias] = decodeAggregate(item, row[item.alias], (f, raw) => compiler.decode(f, raw, false));
    return out;
  });
}

function decodeAggregate(item: AggregateItem, raw: unknown, decode: (f: FieldMeta, raw: unknown) => unknown): unknown {
  if (item.fn === "count" || item.fn === "count_distinct") return Number(raw ?? 0);
  if (raw === null || raw === undefined) return null;
  if (item.field.kind === "decimal") return String(raw);
  if (item.fn === "min" || item.fn === "max") return decode(item.field, raw);
  return Number(raw);
}

/**
 * The database's plan for a read: its text without options (as it always was), else the
 * normalised plan of the secured statement a search would send (see `explainStatement`).
 */
export async function explain(
  db: Runner,
  model: ModelMeta,
  req: ReadRequest,
  options?: unknown,
): Promise<string | ExplainPlan> {
  const checked = options === undefined ? undefined : checkExplainOptions(options);
  if (req.lock !== undefined) assertLockable(db);
  const select = await planSecured(model, db.accessGate(), () => planRead(model, req));
  const compiled = db.adapter.compiler.compile(select);
  if (checked) return explainStatement(db, compiled, checked, select, model.table);
  const result = await db.exec(
    { sql: db.adapter.compiler.explain(compiled.sql), params: compiled.params },
    { model: model.table, operation: "explain" },
  );
  return result.rows.map((r) => Object.values(r).join(" ")).join("\n");
}

/**
 * Streams records in batches, hydrating batch by batch: from the driver's server-side cursor or
 * stream when it has one; otherwise (a single-session embedded engine, where a held cursor would
 * block every other statement) batch after batch by keyset, each starting after the last row.
 */
export async function* stream(
  db: Runner,
  model: ModelMeta,
  req: ReadRequest,
  batchSize: number,
): AsyncGenerator<object> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new QueryError(`batchSize must be a positive integer, got ${batchSize}`);
  if (req.limit !== undefined || req.offset !== undefined)
    throw new QueryError("stream() reads every matching row: drop limit/offset (or use paginate())");
  if (req.lock !== undefined) assertLockable(db);
  const compiler = db.adapter.compiler;
  if (db.adapter.driver.stream) {
    const select = await planSecured(model, db.accessGate(), () => planRead(model, req));
    const compiled = db.adapter.compiler.compile(select, { streaming: true });
    for await (const rows of db.streamRows(compiled, batchSize, { model: model.table, operation: "stream" })) {
      yield* compiler.read(select, rows, db.ops.protos, { streaming: true });
    }
    return;
  }
  const gate = db.accessGate();
  const order = keysetOrder(model, await secureKeysetOrder(model, req, gate));
  const fields = req.fields ? [...new Set([...req.fields, ...order.map((o) => o.field.name)])] : undefined;
  let after: CondNode | undefined;
  for (;;) {
    const select = await planSecured(model, gate, () => planRead(model, { ...req, fields, limit: batchSize }, after));
    const result = await db.run({ ...select, order }, { model: model.table, operation: "stream" });
    const records = compiler.read(select, result.rows, db.ops.protos);
    yield* records;
    if (records.length < batchSize) return;
    after = afterValues(order, sortKey(order, records[records.length - 1] as Record<string, unknown>));
  }
}

/** Keyset pagination: `size` records after `after`, and the cursor of the last one (null at the end). */
export async function paginate(db: Runner, model: ModelMeta, req: ReadRequest, size: number, after?: string) {
  if (!Number.isSafeInteger(size) || size < 1 || size > 10_000)
    throw new QueryError(`page size must be an integer from 1 to 10000, got ${size}`);
  if (req.lock !== undefined) assertLockable(db);
  const gate = db.accessGate();
  const order = keysetOrder(model, await secureKeysetOrder(model, req, gate));
  const fields = req.fields ? [...new Set([...req.fields, ...order.map((o) => o.field.name)])] : undefined;
  const cursor = after !== undefined && after !== null ? afterCursor(order, after) : undefined;
  const select = await planSecured(model, gate, () =>
    planRead(model, { ...req, fields, limit: size + 1, offset: undefined }, cursor),
  );
  const cache = req.lock === undefined ? cacheFor(model, (req as { cache?: unknown }).cache) : undefined;
  const result = await db.run({ ...select, order }, { model: model.table, operation: "paginate", cache });
  const rows = db.adapter.compiler.read(select, result.rows, db.ops.protos);
  const data = rows.slice(0, size);
  const last = data[data.length - 1] as Record<string, unknown> | undefined;
  return { data, cursor: rows.length > size && last ? encodeCursor(order, last) : null };
}

/** Row locks need the capability and a transaction (a lock outside one ends with its statement). */
export function assertLockable(db: Runner): void {
  const { capabilities, dialect } = db.adapter;
  if (capabilities.rowLocks !== true) {
    throw new UnsupportedError(
      "forUpdate (row locks)",
      dialect,
      "this database has no row locks; serialise the work another way (e.g. a queue in PostgreSQL or MySQL)",
    );
  }
  if (!db.inTransaction)
    throw new QueryError(
      "forUpdate() locks rows until the transaction ends: run it inside db.transaction(async () => ...)",
    );
}
