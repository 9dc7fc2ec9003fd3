import { IntegrityError, QueryError, TransactionConflict } from "../errors.js";
import type { ModelMeta } from "../model/model-meta.js";
import { MultipleRecordsFound } from "../query/query-set-types.js";
import type { Runner } from "./runner.js";
import type { ModelBinding } from "../model/binding.js";

/** The lookup of getOrCreate / updateOrCreate: each field equal to its value, checked like any filter. */
function lookupFilter(model: ModelMeta, values: unknown, what: string): unknown[] {
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new QueryError(
      `${model.table}.${what}() takes the field values to look up, e.g. ${what}({ code: "vip" }, { label: "VIP" })`,
    );
  }
  const entries = Object.entries(values);
  if (entries.length === 0) throw new QueryError(`${model.table}.${what}() needs at least one field to look up`);
  return entries.map(([k, v]) => [k, "=", v]);
}

/**
 * `getOrCreate` and `updateOrCreate`: find the one record whose fields equal `values` (locked for
 * the update, where the database has row locks), else create it from `values` and `defaults`.
 * Where the database has transactions it all runs in one (a savepoint inside the caller's), and a
 * create that loses a race on a unique key is rolled back to its savepoint and the winner read
 * (with a locking read, which sees the latest committed row even under REPEATABLE READ). A
 * transaction the database rolls back for a conflict (a deadlock between racing creators) is run again,
 * up to three times, when getOrCreate opened it; inside the caller's transaction the
 * `TransactionConflict` is the caller's to retry. Without
 * transactions (ClickHouse) it is a read then a write, with no guard against a concurrent create.
 *
 * @example
 * const [tag, created] = await getOrCreate(db, ops, Tag.meta, { code: "vip" }, { label: "VIP" }, false);
 */
export async function getOrCreate(
  db: Runner,
  ops: ModelBinding,
  model: ModelMeta,
  values: object,
  defaults: object | undefined,
  update: boolean,
): Promise<[object, boolean]> {
  const what = update ? "updateOrCreate" : "getOrCreate";
  const filter = lookupFilter(model, values, what);
  if (defaults !== undefined && (typeof defaults !== "object" || defaults === null || Array.isArray(defaults))) {
    throw new QueryError(`${model.table}.${what}(): defaults must be an object of field values`, "defaults");
  }
  const { transactions, rowLocks } = db.adapter.capabilities;
  const find = async (locked: boolean): Promise<object | undefined> => {
    const rows = await ops.search(model, { filter, limit: 2, ...(locked ? { lock: {} } : {}) });
    if (rows.length > 1) throw new MultipleRecordsFound(model.table);
    return rows[0];
  };
  const work = async (): Promise<[object, boolean]> => {
    const found = await find(update && rowLocks === true && db.inTransaction);
    if (found) {
      if (!update || defaults === undefined || Object.keys(defaults).length === 0) return [found, false];
      await ops.update(model, (found as { id: number }).id, defaults);
      return [(await ops.get(model, (found as { id: number }).id, undefined, false)) as object, false];
    }
    const create = () => ops.create(model, [{ ...values, ...defaults }]);
    let id: number | string | undefined;
    try {
      [id] = transactions ? await db.transaction(create) : await create();
    } catch (e) {
      if (!(e instanceof IntegrityError) || !transactions) throw e;
      // Read the winner with a locking read, never a plain one: under REPEATABLE READ (MySQL) a plain
      // read keeps the snapshot taken before the winner committed and would not see its row.
      const winner = await find(rowLocks === true);
      if (!winner) throw e;
      if (!update || defaults === undefined || Object.keys(defaults).length === 0) return [winner, false];
      const id = (winner as { id: number }).id;
      await ops.update(model, id, defaults);
      const [updated] = await ops.search(model, {
        filter: [["id", "=", id]],
        limit: 1,
        ...(rowLocks === true ? { lock: {} } : {}),
      });
      return [updated ?? winner, false];
    }
    return [(await ops.get(model, id, undefined, false)) as object, true];
  };
  if (!transactions) return work();
  if (db.inTransaction) return db.transaction(work);
  // Racing creators can deadlock on MySQL (each failed insert holds a shared lock on the key, then
  // each asks for the winner's row): the database rolls one back, and a second attempt reads the winner.
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (e) {
      if (!(e instanceof TransactionConflict) || attempt === maxAttempts) throw e;
    }
  }
}

/** Attempts of a getOrCreate that opened its own transaction, when the database reports a conflict. */
const maxAttempts = 3;
