import { ConfigurationError } from "../errors.js";
import type { Field } from "./field.js";
import type { FieldMeta, ModelMeta } from "./meta.js";

/** Options of a `datetime` or `date` field the ORM stamps itself (Django's and Tortoise's `auto_now(_add)`). */
export interface AutoNowOptions {
  /** Set to the current time by every write of the record: create, update, updateMany, upsert (update half) and save. */
  autoNow?: boolean;
  /** Set to the current time when the record is created (unless the create gives a value); never changed by updates. */
  autoNowAdd?: boolean;
}

/** Which stamp a field carries, if any. */
export function autoNowOf(def: Field): "autoNow" | "autoNowAdd" | undefined {
  const o = def.options as AutoNowOptions;
  return o.autoNow === true ? "autoNow" : o.autoNowAdd === true ? "autoNowAdd" : undefined;
}

/** Refuses stamps on fields that cannot hold one, or that also declare a default. */
export function checkAutoNow(table: string, name: string, def: Field): void {
  const o = def.options as AutoNowOptions & { default?: unknown; store?: unknown };
  if (o.autoNow === undefined && o.autoNowAdd === undefined) return;
  const where = `${table}.${name}`;
  for (const key of ["autoNow", "autoNowAdd"] as const) {
    if (o[key] !== undefined && typeof o[key] !== "boolean")
      throw new ConfigurationError(`${where}: ${key} is true or false, got ${typeof o[key]}`);
  }
  if (!autoNowOf(def)) return;
  if (def.kind !== "datetime" && def.kind !== "date")
    throw new ConfigurationError(`${where}: autoNow and autoNowAdd apply to datetime and date fields, not ${def.kind}`);
  if (o.autoNow && o.autoNowAdd)
    throw new ConfigurationError(`${where}: give autoNow (every write) or autoNowAdd (creation only), not both`);
  if (o.default !== undefined)
    throw new ConfigurationError(`${where}: a field stamped by autoNow/autoNowAdd takes no default`);
  if (o.store === false) throw new ConfigurationError(`${where}: autoNow/autoNowAdd need a stored field`);
}

/** The stamp of `field` for the instant `now` (a `date` field gets the UTC day). */
export function stampOf(field: FieldMeta, now: Date): Date | string {
  return field.kind === "date" ? now.toISOString().slice(0, 10) : now;
}

/** The `autoNow` fields of each model's columns (a list of columns never changes once made). */
const stamped = new WeakMap<readonly FieldMeta[], readonly FieldMeta[]>();

/** The fields every write stamps (`autoNow`), found once per model. */
export function autoNowFields(model: ModelMeta): readonly FieldMeta[] {
  let fields = stamped.get(model.columns);
  if (fields === undefined)
    stamped.set(model.columns, (fields = Object.freeze(model.columns.filter((c) => autoNowOf(c.def) === "autoNow"))));
  return fields;
}
