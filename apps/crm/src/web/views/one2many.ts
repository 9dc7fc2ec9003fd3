import type { FieldMeta } from "../api/client";

/** A line of a one2many table being edited: a stored record (with `id`) or a new one. */
export interface LineDraft {
  key: string;
  id?: number;
  values: Record<string, unknown>;
  /** Fields changed on a stored line (a new line sends all its values). */
  changed: string[];
}

/** The edits of a one2many field: its lines as shown, and the stored lines removed. */
export interface One2manyDraft {
  kind: "one2many-draft";
  /** The columns edited (what the commands send). */
  columns: FieldMeta[];
  lines: LineDraft[];
  deleted: number[];
}

/** Whether a form value is a one2many draft (else it is the records as read). */
export function isDraft(v: unknown): v is One2manyDraft {
  return !!v && typeof v === "object" && (v as { kind?: unknown }).kind === "one2many-draft";
}

/** A draft of the records as read, nothing changed yet. */
export function draftOf(records: readonly Record<string, unknown>[], columns: FieldMeta[]): One2manyDraft {
  return {
    kind: "one2many-draft",
    columns,
    lines: records.map((r) => ({ key: `id-${String(r.id)}`, id: r.id as number, values: r, changed: [] })),
    deleted: [],
  };
}

/** The fields a one2many table shows as columns: the related model's simple fields, not the way back. */
export function lineColumns(target: readonly FieldMeta[], parentModel: string, max = 6): FieldMeta[] {
  return target
    .filter((f) => f.name !== "id" && !(f.relation?.kind === "many2one" && f.relation.model === parentModel))
    .filter(
      (f) =>
        f.relation?.kind !== "one2many" &&
        f.relation?.kind !== "many2many" &&
        !["json", "binary", "text"].includes(f.type),
    )
    .filter((f) => !(f.readonly && f.default === undefined && f.type === "datetime"))
    .slice(0, max);
}
