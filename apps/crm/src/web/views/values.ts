import type { FieldMeta } from "../api/client";
import { asPicked } from "./FieldWidget";
import { type LineDraft, type One2manyDraft, isDraft } from "./one2many";

/** A form value as the API takes it (many2one -> id, many2many -> ids, JSON text -> JSON, "" -> null). */
export function toApiValue(field: FieldMeta, v: unknown): unknown {
  if (v === undefined) return undefined;
  if (field.relation?.kind === "one2many") return isDraft(v) ? commandsOf(v) : undefined;
  if (field.relation?.kind === "many2one") return asPicked(v)?.id ?? null;
  if (field.relation?.kind === "many2many")
    return Array.isArray(v) ? v.map((x) => asPicked(x)?.id).filter((id) => id !== undefined) : [];
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

/**
 * The relation commands that turn the stored lines into the draft, in one request with the parent:
 * `{ create: [values], update: { [id]: changed values }, delete: [ids] }` (empty parts left out).
 *
 * @example
 * commandsOf(draft) // -> { create: [{ product_id: 3, quantity: "2" }], update: { "7": { quantity: "5" } }, delete: [9] }
 */
export function commandsOf(draft: One2manyDraft): Record<string, unknown> {
  const writable = draft.columns.filter((c) => !c.readonly);
  const values = (line: LineDraft, names: readonly string[]) =>
    Object.fromEntries(
      writable
        .filter((c) => names.includes(c.name))
        .map((c) => [c.name, toApiValue(c, line.values[c.name])] as const)
        .filter(([, v]) => v !== undefined),
    );
  const create = draft.lines.filter((l) => l.id === undefined).map((l) => values(l, Object.keys(l.values)));
  const update = Object.fromEntries(
    draft.lines
      .filter((l) => l.id !== undefined && l.changed.length > 0)
      .map((l) => [String(l.id), values(l, l.changed)]),
  );
  const out: Record<string, unknown> = {};
  if (create.length > 0) out.create = create;
  if (Object.keys(update).length > 0) out.update = update;
  if (draft.deleted.length > 0) out.delete = [...draft.deleted];
  return out;
}
