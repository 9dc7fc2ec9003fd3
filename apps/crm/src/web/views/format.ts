import type { FieldMeta } from "../api/client";
import { displayName } from "../api/client";

/** A value as a list cell shows it. */
export function formatCell(field: FieldMeta, v: unknown): string {
  if (v === null || v === undefined) return "";
  if (field.relation?.kind === "many2one") return displayName(v);
  if (Array.isArray(v)) return `${v.length} record${v.length === 1 ? "" : "s"}`;
  if (field.type === "boolean") return v ? "yes" : "no";
  if (field.type === "selection") return field.options?.find(([k]) => k === v)?.[1] ?? String(v);
  if (field.type === "datetime") {
    const d = new Date(String(v));
    return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleString();
  }
  if (field.type === "decimal" || field.type === "monetary") {
    const n = Number(v);
    return Number.isFinite(n)
      ? n.toLocaleString(undefined, {
          minimumFractionDigits: field.scale ?? 2,
          maximumFractionDigits: field.scale ?? 2,
        })
      : String(v);
  }
  if (field.type === "json") return JSON.stringify(v).slice(0, 80);
  return String(v);
}
