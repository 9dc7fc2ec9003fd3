import type { ModelMeta } from "../model/model-meta.js";
import { type Id, rowId } from "../model/primary-key.js";
import type { InsertNode } from "../query/ast.js";
import type { prepareCreate } from "../query/prepare-write.js";
import type { ExecResult } from "./adapter.js";
import type { Runner } from "./runner.js";

type Columns = ReturnType<typeof prepareCreate>["columns"];

/** The INSERT columns of a create's fields. */
const columnsOf = (fields: Columns) => fields.map((field) => ({ name: field.column, field }));

/**
 * One INSERT of `rows` (prepared by `prepareCreate`) into `model`'s table; resolves to the new ids,
 * or to what `pick` reads from them (`create`'s one id). Not an async function: on the common path
 * the ids are read (and picked) in the statement's own reaction, with no promise of its own (each
 * costs, once `AsyncLocalStorage` is in use on Node 20, a hook call). Never throws: a failure rejects.
 */
export function insertRows<R = Id[]>(
  db: Runner,
  model: ModelMeta,
  columns: Columns,
  rows: unknown[][],
  onConflict?: InsertNode["onConflict"],
  pick?: (ids: Id[]) => R,
): Promise<R> {
  try {
    if (model.identity && db.adapter.capabilities.clientIds) {
      const sent = insertClientIds(db, model, columns, rows, onConflict);
      return pick ? sent.then(pick) : (sent as Promise<R>);
    }
    // a declared key is the first column, given by the caller or its default (see prepareCreate)
    const ids = model.identity ? undefined : rows.map((r) => r[0] as Id);
    // the driver reports new ids it did not get as rows (MySQL's insert id); RETURNING gives rows
    const read = (result: ExecResult): Id[] =>
      ids ?? (result.ids as Id[] | undefined) ?? result.rows.map((r) => rowId(model.id.kind, r.id));
    return db.run(
      { kind: "insert", table: model.table, columns: columnsOf(columns), rows, returningId: !ids, onConflict },
      { model: model.table, operation: "create" },
      undefined,
      pick ? (result) => pick(read(result)) : (read as (r: ExecResult) => R),
    );
  } catch (e) {
    return Promise.reject(e);
  }
}

/** An INSERT into a model whose ids the adapter makes before sending it (`nextIds`). */
async function insertClientIds(
  db: Runner,
  model: ModelMeta,
  columns: Columns,
  rows: unknown[][],
  onConflict?: InsertNode["onConflict"],
): Promise<Id[]> {
  const ids = await db.adapter.nextIds!(rows.length);
  const cols = columnsOf(columns);
  cols.unshift({ name: "id", field: model.id });
  await db.run(
    {
      kind: "insert",
      table: model.table,
      columns: cols,
      rows: rows.map((r, i) => [ids[i], ...r]),
      returningId: false,
      onConflict,
    },
    { model: model.table, operation: "create" },
  );
  return ids;
}
