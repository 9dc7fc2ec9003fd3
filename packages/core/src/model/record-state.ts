import type { FieldMeta } from "./model-meta.js";

/**
 * What each record held when it was read or last written, per field: the baseline `save()`
 * compares with, so it writes the changed fields only (dirty tracking). Kept in a private class
 * field stamped onto the record (the base constructor returns the record, so the subclass adds its
 * field to it): invisible to `Object.keys`, `JSON.stringify`, reflection, spread and
 * `structuredClone` (a copy has no baseline, as a record never read through DotORM), and a read
 * costs one field per record rather than a WeakMap entry, whose upkeep was most of hydration's CPU.
 */
class Stamp {
  constructor(record: object) {
    // biome-ignore lint/correctness/noConstructorReturn: the record itself receives the subclass's private field
    return record as Stamp;
  }
}

class BaselineSlot extends Stamp {
  #baseline: Baseline;

  private constructor(record: object, baseline: Baseline) {
    super(record);
    this.#baseline = baseline;
  }

  static of(record: object): Baseline | undefined {
    return #baseline in record ? (record as BaselineSlot).#baseline : undefined;
  }

  /** Sets the baseline; `fresh` promises the record has none yet (hydration's just-made records). */
  static set(record: object, baseline: Baseline, fresh: boolean): void {
    if (!fresh && #baseline in record) (record as BaselineSlot).#baseline = baseline;
    else new BaselineSlot(record, baseline);
  }
}

/** The fields a baseline covers and the {@link comparable} value each held, in the same order. */
interface Baseline {
  readonly fields: readonly FieldMeta[];
  readonly values: readonly unknown[];
}

/**
 * A value in a form `===` compares: dates by instant, bytes and JSON by content, a nested
 * many2one record by its id, so a value changed in place (`record.data.tags.push(x)`) is seen.
 * A datetime field's Date is its instant as a number (every row read has one: no string is made
 * for it), and a number given to such a field compares as text, so it never equals a Date.
 */
export function comparable(field: FieldMeta, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== "object") return typeof value === "number" && field.kind === "datetime" ? `n${value}` : value;
  if (value instanceof Date) {
    const time = value.getTime();
    return field.kind === "datetime" && !Number.isNaN(time) ? time : `d${time}`;
  }
  if (value instanceof Uint8Array) return `b${Array.from(value).join(",")}`;
  if ((field.kind === "many2one" || field.kind === "one2one") && !Array.isArray(value))
    return (value as { id?: unknown }).id ?? null;
  return `j${JSON.stringify(value)}`;
}

function snapshot(record: Record<string, unknown>, fields: readonly FieldMeta[]): unknown[] {
  const values = new Array<unknown>(fields.length);
  for (let i = 0; i < fields.length; i++)
    values[i] = comparable(fields[i] as FieldMeta, record[(fields[i] as FieldMeta).name]);
  return values;
}

/**
 * The baseline of a record hydration has just made (it has none yet): the fast path of
 * {@link remember}, taken once per row read.
 */
export function rememberFresh(record: object, fields: readonly FieldMeta[]): void {
  BaselineSlot.set(record, { fields, values: snapshot(record as Record<string, unknown>, fields) }, true);
}

/**
 * As {@link rememberFresh}, from the {@link comparable} values the caller worked out as it set them
 * (a compiled row reader has each value at hand, so it does not read the record back).
 */
export function rememberComparable(record: object, fields: readonly FieldMeta[], values: unknown[]): void {
  BaselineSlot.set(record, { fields, values }, true);
}

/** Remembers the current values of `fields` of `record` as its baseline (replacing theirs only). */
export function remember(record: object, fields: readonly FieldMeta[]): void {
  const old = BaselineSlot.of(record);
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
  BaselineSlot.set(record, next, false);
}

/** The baseline of `record`, when it was read (or saved) through DotORM. */
export function baselineOf(record: object): ReadonlyMap<string, unknown> | undefined {
  const b = BaselineSlot.of(record);
  return b ? new Map(b.fields.map((f, i) => [f.name, b.values[i]])) : undefined;
}
