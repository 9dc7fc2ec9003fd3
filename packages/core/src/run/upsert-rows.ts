import { AccessDenied, ValidationError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { type Id, rowId } from "../model/primary-key.js";
import { type InsertNode, ast } from "../query/ast.js";
import type { Runner } from "./runner.js";

/** Inserts rows (with `onConflict`: as an upsert) and returns their ids in order. */
export type InsertRows = (
  model: ModelMeta,
  columns: readonly FieldMeta[],
  rows: unknown[][],
  onConflict?: InsertNode["onConflict"],
) => Promise<Id[]>;

/** Compares conflict keys as the database does for the field types a unique key takes. */
const keyOf = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));

/**
 * One batch of `createMany(rows, { onConflict, update })`, with each half checked as its own call:
 * rows whose key exists are the update half (the existing row must be readable and inside the
 * update rule before it changes, exactly as `updateMany` requires); the others are the insert half,
 * inserted plainly, so a collision on any other unique key is an `IntegrityError` on every
 * database (MySQL's `ON DUPLICATE KEY` would otherwise update the row holding that other key).
 * Runs inside the caller's transaction. Returns the ids in row order and those of the new rows.
 */
export async function upsertRows(
  db: Runner,
  model: ModelMeta,
  columns: readonly FieldMeta[],
  rows: unknown[][],
  conflict: NonNullable<InsertNode["onConflict"]>,
  insert: InsertRows,
): Promise<{ ids: Id[]; created: Id[] }> {
  const key = conflict.columns[0] as FieldMeta;
  const k = columns.indexOf(key);
  const keyAt = (row: readonly unknown[]) =>
    k < 0 || row[k] === null || row[k] === undefined ? undefined : keyOf(row[k]);
  const keys = new Map<string, unknown>();
  for (const row of rows) {
    const s = keyAt(row);
    if (s === undefined) continue;
    if (keys.has(s)) {
      throw new ValidationError(
        `${model.table}.${key.name}: the same record appears twice in one upsert (${JSON.stringify(s)}); each conflict key may occur once per call`,
        key.name,
        model.table,
      );
    }
    keys.set(s, row[k]);
  }
  const existing = await existingIds(db, model, key, [...keys.values()]);
  await assertUpdatable(db, model, [...existing.values()]);
  const fresh = rows.filter((row) => !existing.has(keyAt(row) as string));
  const old = rows.filter((row) => existing.has(keyAt(row) as string));
  const created = fresh.length > 0 ? await insert(model, columns, fresh) : [];
  // nothing to update: the existing rows are kept as they are
  if (old.length > 0 && conflict.update.length > 0) await insert(model, columns, old, conflict);
  let next = 0;
  const ids = rows.map((row) => existing.get(keyAt(row) as string) ?? (created[next++] as Id));
  return { ids, created };
}

/** The ids of the rows already holding these keys (whatever the session may read: checked next). */
async function existingIds(
  db: Runner,
  model: ModelMeta,
  key: FieldMeta,
  values: readonly unknown[],
): Promise<Map<string, Id>> {
  const found = new Map<string, Id>();
  if (values.length === 0) return found;
  const select = {
    kind: "select" as const,
    model,
    items: [
      { kind: "column" as const, field: model.id },
      { kind: "column" as const, field: key },
    ],
    where: ast.seal({ kind: "in", field: key, values, negate: false }),
    order: [],
  };
  const result = await db.run(select, { model: model.table, operation: "create" });
  for (const row of result.rows)
    found.set(keyOf(db.adapter.compiler.decode(key, row[key.name], false)), rowId(model.id.kind, row.id));
  return found;
}

/** The update half: every existing row must be one the session reads and may update, as it is now. */
async function assertUpdatable(db: Runner, model: ModelMeta, ids: readonly Id[]): Promise<void> {
  if (ids.length === 0) return;
  const gate = db.accessGate();
  const read = await gate?.rule(model, "read", ids);
  const update = await gate?.rule(model, "update", ids);
  if (!read && !update) return;
  const where = ast.and([ast.idIn(model, ids), read, update]);
  const result = await db.run({ kind: "count", model, where }, { model: model.table, operation: "update" });
  if (Number(result.rows[0]?.n ?? 0) !== ids.length) {
    throw new AccessDenied(
      `update on ${model.table}: the upsert matches records outside what this session may update`,
      model.table,
      "update",
    );
  }
}
