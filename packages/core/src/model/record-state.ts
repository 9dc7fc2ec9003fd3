import type { FieldMeta } from "./model-meta.js";

/**
 * What each record held when it was read or last written, per field: the baseline `save()`
 * compares with, so it writes the changed fields only (dirty tracking). Kept beside the record,
 * never on it, so records stay plain objects to spread, compare and serialise.
 */
const loaded = new WeakMap<object, Map<string, unknown>>();

/**
 * A value in a form `===` compares: dates by instant, bytes and JSON by content, a nested
 * many2one record by its id, so a value changed in place (`record.data.tags.push(x)`) is seen.
 */
export function comparable(field: FieldMeta, value: unknown): unknown {
  if (value === null || value === undefined || typeof value !== "object") return value ?? null;
  if (value instanceof Date) return `d${value.getTime()}`;
  if (value instanceof Uint8Array) return `b${Array.from(value).join(",")}`;
  if ((field.kind === "many2one" || field.kind === "one2one") && !Array.isArray(value)) return (value as { id?: unknown }).id ?? null;
  return `j${JSON.stringify(value)}`;
}

/** Remembers the current values of `fields` of `record` as its baseline (replacing theirs only). */
export function remember(record: object, fields: readonly FieldMeta[]): void {
  let map = loaded.get(record);
  if (!map) loaded.set(record, (map = new Map()));
  for (const field of fields) map.set(field.name, comparable(field, (record as Record<string, unknown>)[field.name]));
}

/** The baseline of `record`, when it was read (or saved) through DotORM. */
export function baselineOf(record: object): ReadonlyMap<string, unknown> | undefined {
  return loaded.get(record);
}
