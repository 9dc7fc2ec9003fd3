import type { FieldMeta } from "./model-meta.js";

/**
 * What each record held when it was read or last written, per field: the baseline `save()`
 * compares with, so it writes the changed fields only (dirty tracking). Kept in a non-enumerable
 * symbol slot of the record, so records stay plain objects to spread, compare and serialise (a
 * spread copy or `structuredClone` has no baseline, as a record never read through DotORM), and
 * a read costs one property per record rather than a WeakMap entry (whose upkeep was most of
 * hydration's CPU time for a page of 20).
 */
const slot = Symbol("dotorm.baseline");

/** The fields a baseline covers and the {@link comparable} value each held, in the same order. */
interface Baseline {
  readonly fields: readonly FieldMeta[];
  readonly values: readonly unknown[];
}

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

function snapshot(record: Record<string, unknown>, fields: readonly FieldMeta[]): unknown[] {
  const values = new Array<unknown>(fields.length);
  for (let i = 0; i < fields.length; i++) values[i] = comparable(fields[i] as FieldMeta, record[(fields[i] as FieldMeta).name]);
  return values;
}

function own(record: object): Baseline | undefined {
  return Object.hasOwn(record, slot) ? ((record as Record<symbol, Baseline>)[slot] as Baseline) : undefined;
}

/**
 * The baseline of a record hydration has just made (it has none yet): the fast path of
 * {@link remember}, taken once per row read.
 */
export function rememberFresh(record: object, fields: readonly FieldMeta[]): void {
  Object.defineProperty(record, slot, { value: { fields, values: snapshot(record as Record<string, unknown>, fields) } satisfies Baseline, writable: true, configurable: true });
}

/** Remembers the current values of `fields` of `record` as its baseline (replacing theirs only). */
export function remember(record: object, fields: readonly FieldMeta[]): void {
  const old = own(record);
  if (!old) {
    // a frozen or sealed object cannot carry a baseline: save() then writes every field it holds
    if (Object.isExtensible(record)) rememberFresh(record, fields);
    return;
  }
  const names = new Set(fields.map((f) => f.name));
  const kept = old.fields.flatMap((f, i) => (names.has(f.name) ? [] : [i]));
  const next: Baseline = {
    fields: [...kept.map((i) => old.fields[i] as FieldMeta), ...fields],
    values: [...kept.map((i) => old.values[i]), ...snapshot(record as Record<string, unknown>, fields)],
  };
  (record as Record<symbol, Baseline>)[slot] = next;
}

/** The baseline of `record`, when it was read (or saved) through DotORM. */
export function baselineOf(record: object): ReadonlyMap<string, unknown> | undefined {
  const b = own(record);
  return b ? new Map(b.fields.map((f, i) => [f.name, b.values[i]])) : undefined;
}
