import type { FieldMeta } from "../api/client";
import { asPicked } from "./FieldWidget";

/** A form value as the API takes it (many2one -> id, many2many -> ids, JSON text -> JSON, "" -> null). */
export function toApiValue(field: FieldMeta, v: unknown): unknown {
  if (v === undefined) return undefined;
  if (field.relation?.kind === "many2one") return asPicked(v)?.id ?? null;
  if (field.relation?.kind === "many2many") return Array.isArray(v) ? v.map((x) => asPicked(x)?.id).filter((id) => id !== undefined) : [];
  if (v === "" && field.type !== "char" && field.type !== "text") return null;
  if (field.type === "json" && typeof v === "string") {
    try {
      return JSON.parse(v);
    } catch {
      return v; // the server names the field
    }
  }
  return v;
}
