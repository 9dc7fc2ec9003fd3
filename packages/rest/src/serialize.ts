import type { FieldMeta, ModelMeta } from "@dotorm/core";
import { isPrivate } from "./crud-options.js";

/**
 * A record as JSON: private fields left out (at every nesting level), datetimes as ISO 8601,
 * decimals as strings, binary as base64, nested relations as objects or arrays of objects.
 */
export function serialize(model: ModelMeta, record: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const field = model.fields.get(key);
    if (!field || isPrivate(field)) continue;
    out[key] = serializeValue(field, value);
  }
  return out;
}

function serializeValue(field: FieldMeta, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field.kind === "many2one" || field.kind === "one2one" || field.kind === "one2many" || field.kind === "many2many") {
    const target = field.target();
    if (Array.isArray(value)) return value.map((v) => (typeof v === "object" && v !== null ? serialize(target, v) : v));
    return typeof value === "object" ? serialize(target, value) : value;
  }
  return plainValue(value);
}

/** A scalar as JSON: Date to ISO 8601, bytes to base64, the rest as is. */
export function plainValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** An aggregate row: group keys serialised as fields (a nested many2one as an object), aggregates as values. */
export function serializeAggregate(model: ModelMeta, groupBy: readonly string[], row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const field = groupBy.includes(key) ? model.fields.get(key) : undefined;
    out[key] = field ? serializeValue(field, value) : plainValue(value);
  }
  return out;
}
