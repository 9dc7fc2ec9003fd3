import { QueryError, RecordNotFound } from "../errors.js";
import type { Prototypes } from "../hydrate/hydrate.js";
import type { ModelMeta } from "../model/model-meta.js";
import { checkId } from "../model/validate.js";
import { planSecured } from "../access/secure-read.js";
import { type SelectNode, ast } from "../query/ast.js";
import { cacheFor } from "../query/cache-option.js";
import type { ReadRequest } from "../query/plan-read.js";
import { planReadShaped } from "../query/read-shape.js";
import type { CompiledQuery } from "../sql/statement.js";
import { assertLockable } from "./query-ops.js";
import { templateRead } from "./read-template.js";
import type { Runner, StatementInfo } from "./runner.js";

/**
 * The records of `Model.search(options)` on `db`. Not an async function (see {@link readBack});
 * failures reject, never throw.
 *
 * @example
 * const page = await searchRecords(db, protos, Chat.meta, { filter: [["id", ">", 10]], limit: 20 });
 */
export function searchRecords(
  db: Runner,
  protos: Prototypes,
  model: ModelMeta,
  options: ReadRequest,
): Promise<object[]> {
  try {
    if (options?.lock !== undefined) assertLockable(db);
    const cache =
      options?.lock === undefined ? cacheFor(model, (options as { cache?: unknown } | undefined)?.cache) : undefined;
    const gate = db.accessGate();
    // no checker to add conditions, no cache: a repeated read is sent from its template, unparsed and uncompiled
    const fast = gate || cache ? undefined : templateRead(model, options ?? {}, undefined, db.adapter.compiler);
    const planned = fast?.select ?? planSecured(model, gate, () => planReadShaped(model, options ?? {}));
    const info: StatementInfo = { model: model.table, operation: "search", cache };
    // without a checker the plan is at hand: no hop
    if (planned instanceof Promise) return planned.then((select) => readBack(db, protos, select, info, undefined, all));
    return readBack(db, protos, planned, info, fast?.query, all);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * The record of `Model.get(id, options)` on `db` (null when absent and `orNull`, else a
 * `RecordNotFound`). Not an async function (see {@link readBack}); failures reject, never throw.
 *
 * @example
 * const chat = await getRecord(db, protos, Chat.meta, 7, { fields: ["name"] }, false);
 */
export function getRecord(
  db: Runner,
  protos: Prototypes,
  model: ModelMeta,
  id: unknown,
  options: ReadRequest | undefined,
  orNull: boolean,
): Promise<object | null> {
  try {
    const cond = ast.idIn(model, [checkId(model, id)]);
    const bad = options && ["filter", "order", "limit", "offset"].find((k) => k in options);
    if (bad) throw new QueryError(`get() takes fields, nested and cache only; "${bad}" belongs to search()`);
    const cache = cacheFor(model, (options as { cache?: unknown } | undefined)?.cache);
    const req = { fields: options?.fields, nested: options?.nested };
    const gate = db.accessGate();
    const fast = gate || cache ? undefined : templateRead(model, req, cond, db.adapter.compiler);
    const planned = fast?.select ?? planSecured(model, gate, () => planReadShaped(model, req, cond));
    const info: StatementInfo = { model: model.table, operation: "get", cache };
    const one = (records: object[]): object | null => {
      const [record] = records;
      if (!record && !orNull) throw new RecordNotFound(model.table, id);
      return record ?? null;
    };
    if (planned instanceof Promise) return planned.then((select) => readBack(db, protos, select, info, undefined, one));
    return readBack(db, protos, planned, info, fast?.query, one);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** A search's records as they are. */
const all = (records: object[]): object[] => records;

/**
 * Runs a planned read (sent as `compiled` when given) and reads its rows back into records, handed
 * to `finish`: one reaction on the statement's promise and no `async` layer, since every promise
 * and every `await` costs a hook call on Node 20 once `AsyncLocalStorage` is in use (issue 18).
 */
function readBack<T>(
  db: Runner,
  protos: Prototypes,
  select: SelectNode,
  info: StatementInfo,
  compiled: CompiledQuery | undefined,
  finish: (records: object[]) => T,
): Promise<T> {
  return db.run(select, info, compiled).then((result) => finish(db.adapter.compiler.read(select, result.rows, protos)));
}
