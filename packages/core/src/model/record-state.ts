import type { FieldMeta } from "./model-meta.js";

/**
 * What each record held when it was read or last written, per field: the baseline `save()`
 * compares with, so it writes the changed fields only (dirty tracking). Kept in private class
 * fields of the record: invisible to `Object.keys`, `JSON.stringify`, reflection, spread and
 * `structuredClone` (a copy has no baseline, as a record never read through DotORM), and a read
 * costs a field per record rather than a WeakMap entry, whose upkeep was most of hydration's CPU.
 * A record hydration makes is born with them ({@link hydratedClass}); any other record gets them
 * stamped on when it is first remembered: the base constructor returns the record, so the
 * subclass adds its field to it.
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

  /** Sets the baseline; `fresh` promises the record has none yet (a record just made). */
  static set(record: object, baseline: Baseline, fresh: boolean): void {
    if (!fresh && #baseline in record) (record as BaselineSlot).#baseline = baseline;
    else new BaselineSlot(record, baseline);
  }
}

/**
 * The class hydration makes the records of one prototype with: `new H(fields, values)` is an object
 * of exactly that prototype (the base constructor returns `Object.create(proto)`: no model
 * constructor runs) holding the baseline `{ fields, values }` (values as {@link comparable} gives
 * them) in private fields of the class's own, set before any property. `values` may be left
 * undefined and set later ({@link rememberFresh}), when computed fields must be derived first.
 */
export type HydratedClass = new (fields: readonly FieldMeta[], values: unknown[] | undefined) => object;

/** The baseline access of one {@link HydratedClass}: its private fields are its own. */
interface Hydrated {
  new (fields: readonly FieldMeta[], values: unknown[] | undefined): object;
  of(record: object): Baseline | undefined;
  /** Sets the baseline of a record the class made; false for any other object. */
  set(record: object, baseline: Baseline): boolean;
}

/** The hydrated class of each prototype, made on first use. */
const hydrated = new WeakMap<object, Hydrated>();
/** How many classes were compiled: each source differs by it (see {@link hydratedClass}). */
let compiledClasses = 0;
/** False once `new Function` is refused: records are then made by `Object.create` and stamped. */
let compilable = true;

/**
 * The {@link HydratedClass} of `proto`, or undefined where code cannot be compiled (`new Function`
 * refused). One class per prototype, each compiled from a source of its own: V8 keeps the
 * feedback of a class's field initializer per compiled function, and one class shared by every
 * model (or a field added to a record already filled, as the stamp does) sees as many layouts as
 * there are models and shapes, which made setting the baseline cost more than the rest of a
 * record's hydration.
 */
export function hydratedClass(proto: object): HydratedClass | undefined {
  const known = hydrated.get(proto);
  if (known || !compilable) return known;
  let made: Hydrated;
  try {
    made = new Function(
      "P",
      `"use strict";/*${compiledClasses++}*/const B=class{constructor(){return Object.create(P)}};` +
        "return class extends B{#f;#v;constructor(f,v){super();this.#f=f;this.#v=v}" +
        "static of(r){return #f in r&&r.#v!==undefined?{fields:r.#f,values:r.#v}:undefined}" +
        "static set(r,b){if(!(#f in r))return false;r.#f=b.fields;r.#v=b.values;return true}};",
    )(proto) as Hydrated;
  } catch {
    compilable = false;
    return undefined;
  }
  hydrated.set(proto, made);
  return made;
}

/** The baseline of `record`: the private fields of its prototype's hydrated class, else the stamp. */
function baselineSlot(record: object): Baseline | undefined {
  const made = hydrated.get(Object.getPrototypeOf(record) as object);
  return made?.of(record) ?? BaselineSlot.of(record);
}

function setBaseline(record: object, baseline: Baseline, fresh: boolean): void {
  const made = hydrated.get(Object.getPrototypeOf(record) as object);
  if (!made?.set(record, baseline)) BaselineSlot.set(record, baseline, fresh);
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
 * The baseline of a record hydration has just made (it has none yet): the fields' current values.
 * Taken once per record whose computed fields had to be derived first, or made without a
 * {@link HydratedClass}.
 */
export function rememberFresh(record: object, fields: readonly FieldMeta[]): void {
  setBaseline(record, { fields, values: snapshot(record as Record<string, unknown>, fields) }, true);
}

/** Remembers the current values of `fields` of `record` as its baseline (replacing theirs only). */
export function remember(record: object, fields: readonly FieldMeta[]): void {
  const old = baselineSlot(record);
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
  setBaseline(record, next, false);
}

/** The baseline of `record`, when it was read (or saved) through DotORM. */
export function baselineOf(record: object): ReadonlyMap<string, unknown> | undefined {
  const b = baselineSlot(record);
  return b ? new Map(b.fields.map((f, i) => [f.name, b.values[i]])) : undefined;
}
