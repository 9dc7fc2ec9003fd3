import type { FieldMeta, ModelMeta } from "@dotorm/core";
import { isPrivate } from "./crud-options.js";

/** How each key of a model's records is written: left out, a relation, or a scalar. */
type KeyPlan = ReadonlyMap<string, { readonly field: FieldMeta; readonly relation: boolean } | null>;

const plans = new WeakMap<ModelMeta, KeyPlan>();
const relationKinds = new Set(["many2one", "one2one", "one2many", "many2many"]);

/** Worked out once per model: pages serialise many records of the same shape. */
function planOf(model: ModelMeta): KeyPlan {
  let plan = plans.get(model);
  if (!plan) {
    const map = new Map<string, { field: FieldMeta; relation: boolean } | null>();
    for (const [name, field] of model.fields)
      map.set(name, isPrivate(field) ? null : { field, relation: relationKinds.has(field.kind) });
    plans.set(model, (plan = map));
  }
  return plan;
}

/**
 * A record as JSON: private fields left out (at every nesting level), datetimes as ISO 8601,
 * decimals as strings, binary as base64, nested relations as objects or arrays of objects.
 */
export function serialize(model: ModelMeta, record: object): Record<string, unknown> {
  const plan = planOf(model);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const entry = plan.get(key);
    if (!entry) continue;
    const value = (record as Record<string, unknown>)[key];
    if (value === null || value === undefined) out[key] = null;
    else if (entry.relation) out[key] = serializeRelation(entry.field, value);
    else out[key] = typeof value === "object" || typeof value === "bigint" ? plainValue(value) : value;
  }
  return out;
}

function serializeRelation(field: FieldMeta, value: unknown): unknown {
  const target = field.target();
  if (Array.isArray(value)) return value.map((v) => (typeof v === "object" && v !== null ? serialize(target, v) : v));
  return typeof value === "object" ? serialize(target, value as object) : value;
}

function serializeValue(field: FieldMeta, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return relationKinds.has(field.kind) ? serializeRelation(field, value) : plainValue(value);
}

/** A scalar as JSON: Date to ISO 8601, bytes to base64, the rest as is. */
export function plainValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** An aggregate row: group keys serialised as fields (a nested many2one as an object), aggregates as values. */
export function serializeAggregate(
  model: ModelMeta,
  groupBy: readonly string[],
  row: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const field = groupBy.includes(key) ? model.fields.get(key) : undefined;
    out[key] = field ? serializeValue(field, value) : plainValue(value);
  }
  return out;
}
