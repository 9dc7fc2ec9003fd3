import type { FieldMeta } from "../api/client";

/** One condition of the filter bar, as the user set it. */
export interface Condition {
  field: string;
  op: string;
  /** The value as entered: text, a number as text, "true"/"false", an ISO date, or a picked record. */
  value: string | { id: number; name: string } | null;
}

/** A DotORM filter list (`[["name", "ilike", "acme"], ["stage_id", "=", 3]]`). */
export type Filter = (string | number | boolean | null)[][];

const textOps = ["ilike", "not ilike", "=", "!=", "is null", "is not null"];
const numberOps = ["=", "!=", ">", ">=", "<", "<=", "is null", "is not null"];
const dateOps = [">=", "<=", "=", "is null", "is not null"];

const numeric = new Set(["integer", "smallInteger", "bigInteger", "float", "decimal", "monetary"]);

/** The operators the filter bar offers for a field, the first being the default. */
export function operatorsFor(field: Pick<FieldMeta, "type">): string[] {
  if (field.type === "char" || field.type === "text") return textOps;
  if (numeric.has(field.type)) return numberOps;
  if (field.type === "date" || field.type === "datetime") return dateOps;
  if (field.type === "boolean") return ["="];
  if (field.type === "selection") return ["=", "!=", "is null", "is not null"];
  if (field.type === "many2one") return ["=", "!=", "is null", "is not null"];
  if (field.type === "many2many" || field.type === "one2many") return ["="];
  return ["="];
}

/** Fields the filter bar can filter on: stored, public, of a type it has a widget for. */
export function filterable(fields: readonly FieldMeta[]): FieldMeta[] {
  return fields.filter((f) => f.type !== "json" && f.type !== "binary" && f.type !== "one2many");
}

/** Whether the operator takes no value (`is null`). */
export const valueless = (op: string): boolean => op === "is null" || op === "is not null";

/**
 * The DotORM filter for the conditions, skipping unfinished ones (no value yet) and checking each
 * value against its field's type. Conditions are joined by AND.
 *
 * @example
 * buildFilter([{ field: "name", op: "ilike", value: "acme" }, { field: "stage_id", op: "=", value: { id: 3, name: "Won" } }], fields)
 * // -> [["name", "ilike", "acme"], ["stage_id", "=", 3]]
 */
export function buildFilter(conditions: readonly Condition[], fields: readonly FieldMeta[]): Filter {
  const out: Filter = [];
  for (const c of conditions) {
    const field = fields.find((f) => f.name === c.field);
    if (!field || !operatorsFor(field).includes(c.op)) continue;
    if (valueless(c.op)) {
      out.push([c.field, c.op === "is null" ? "=" : "!=", null]);
      continue;
    }
    const v = c.value;
    if (v === null || v === "") continue;
    if (field.relation) {
      if (typeof v !== "object") continue;
      // x2many: "has this record"
      out.push(field.relation.kind === "many2one" ? [c.field, c.op, v.id] : [`${c.field}.id`, "=", v.id]);
      continue;
    }
    if (typeof v === "object") continue;
    if (field.type === "boolean") {
      if (v !== "true" && v !== "false") continue;
      out.push([c.field, "=", v === "true"]);
    } else if (numeric.has(field.type)) {
      const n = v.trim();
      if (!/^-?\d+(\.\d+)?$/.test(n)) continue;
      out.push([c.field, c.op, field.type === "decimal" || field.type === "monetary" ? n : Number(n)]);
    } else if (field.type === "date") {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) continue;
      out.push([c.field, c.op, v]);
    } else if (field.type === "datetime") {
      if (!/^\d{4}-\d{2}-\d{2}/.test(v)) continue;
      // a day typed for a datetime: from its start (>=, =) or to its end (<=), local time
      const day = v.slice(0, 10);
      const start = new Date(`${day}T00:00:00`);
      if (Number.isNaN(start.getTime())) continue;
      if (c.op === "=") {
        out.push(
          [c.field, ">=", start.toISOString()],
          [c.field, "<", new Date(start.getTime() + 86_400_000).toISOString()],
        );
      } else if (c.op === "<=") {
        out.push([c.field, "<", new Date(start.getTime() + 86_400_000).toISOString()]);
      } else out.push([c.field, c.op, start.toISOString()]);
    } else {
      out.push([c.field, c.op, v]);
    }
  }
  return out;
}
