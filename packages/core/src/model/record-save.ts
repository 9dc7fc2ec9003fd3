import { checkId } from "./validate.js";
import type { ModelBinding } from "./binding.js";
import type { FieldMeta, ModelMeta } from "./model-meta.js";
import { autoNowOf } from "./auto-now.js";
import { baselineOf, comparable, remember } from "./record-state.js";

/** The fields of `meta` that `record` holds as own keys: what save() may write (id and computed fields left out). */
function heldFields(meta: ModelMeta, record: Record<string, unknown>): FieldMeta[] {
  const out: FieldMeta[] = [];
  for (const key of Object.keys(record)) {
    const field = meta.fields.get(key);
    if (!field || key === "id" || (!field.stored && field.def.options.compute)) continue;
    out.push(field);
  }
  return out;
}

/** Related records read with `nested` (a list of them, or one record): not values save() writes back. */
function isNested(field: FieldMeta, value: unknown): boolean {
  if (field.kind === "one2many" || field.kind === "many2many")
    return Array.isArray(value) && value.some((v) => typeof v === "object" && v !== null);
  return (field.kind === "many2one" || field.kind === "one2one") && typeof value === "object" && value !== null;
}

/** Fields no update may write (`readonly`, or stamped by the ORM): a record built by hand carries them as stored. */
function writeOnce(field: FieldMeta): boolean {
  return field.def.options.readonly === true || autoNowOf(field.def) !== undefined;
}

/**
 * `record.save()`: inserts a record without an id (then reads back its stored fields, defaults
 * included); on a record with an id, updates the fields changed since it was read or last saved
 * (all it holds when it was not read through DotORM, except readonly and stamped ones, which only
 * create writes), in one statement, or sends nothing. With a declared key (uuid, char) a record
 * built by hand with its id is inserted when no row has that id yet (one read to tell), as Django does.
 *
 * @example
 * const chat = await Chat.get(1); chat.name = "Renamed"; await saveRecord(Chat.meta, chat, binding); // UPDATE ... SET name
 */
export async function saveRecord(
  meta: ModelMeta,
  record: Record<string, unknown>,
  binding: ModelBinding,
  update: (values: object) => Promise<void>,
): Promise<void> {
  // a nested many2one record stays writable (its id is compared); nested lists are left to update()
  const held = heldFields(meta, record).filter((f) => f.kind === "many2one" || !isNested(f, record[f.name]));
  const baseline = baselineOf(record);
  const absent = record.id === undefined || record.id === null;
  const fresh =
    absent ||
    (!meta.identity &&
      !baseline &&
      (await binding.get(meta, checkId(meta, record.id), { fields: ["id"] }, true)) === null);
  if (fresh) {
    const values = Object.fromEntries(held.map((f) => [f.name, record[f.name]]));
    if (!absent) values.id = record.id;
    const [id] = await binding.create(meta, [values]);
    const stored = meta.columns;
    const read = (await binding.get(meta, id, { fields: stored.map((f) => f.name) }, false)) as Record<string, unknown>;
    for (const field of stored) record[field.name] = read[field.name];
    record.id = id;
    remember(record, stored);
    return;
  }
  const changed = baseline
    ? held.filter((f) => !baseline.has(f.name) || baseline.get(f.name) !== comparable(f, record[f.name]))
    : held.filter((f) => !writeOnce(f));
  if (changed.length === 0) return;
  await update(Object.fromEntries(changed.map((f) => [f.name, record[f.name]])));
}

/**
 * `record.refresh()`: reads the record's fields again from the database (those it holds; every
 * stored field when it holds none), resetting what save() compares with. Nested records it holds
 * are kept as they are. `RecordNotFound` when the row is gone.
 *
 * @example
 * await refreshRecord(Chat.meta, chat, binding);
 */
export async function refreshRecord(
  meta: ModelMeta,
  record: Record<string, unknown>,
  binding: ModelBinding,
): Promise<void> {
  const id = checkId(meta, record.id);
  const held = heldFields(meta, record).filter(
    (f) => f.stored || f.kind === "one2many" || f.kind === "many2many" || f.kind === "one2one",
  );
  const fields = (held.length === 0 ? meta.columns : held.filter((f) => !isNested(f, record[f.name]))).map(
    (f) => f.name,
  );
  const fresh = (await binding.get(meta, id, { fields }, false)) as Record<string, unknown>;
  const read = fields.map((name) => meta.fields.get(name) as FieldMeta);
  for (const field of read) record[field.name] = fresh[field.name];
  remember(record, read);
}
