import type { FieldMeta, ModelMeta } from "@dotorm/core";
import { isPrivate, isReadonly } from "./crud-options.js";

/** What `GET <t>/fields` says about a field, for building forms. Private fields are never listed. */
export interface FieldInfo {
  name: string;
  type: string;
  label: string;
  help?: string;
  required: boolean;
  readonly: boolean;
  /**
   * The related model, the relation's kind and, when the related model is exposed for reading and has
   * one, its display field (what `name_search` returns as the name): a client can then read related
   * records by name (`nested: { partner_id: ["name"] }`) without first asking for their fields.
   */
  relation?: { model: string; kind: string; display?: string };
  options?: [string, string][];
  maxLength?: number;
  precision?: number;
  scale?: number;
  default?: unknown;
}

/** The fields of a model a client may see, in declaration order (id first). */
export function visibleFields(meta: ModelMeta): FieldMeta[] {
  return [...meta.fields.values()].filter((f) => !isPrivate(f));
}

/**
 * Field metadata of a model: name, type, label, help, required, readonly, relation, options, maxLength,
 * static default. `displayOf(table)` names a related model's display field (crud() passes the exposed
 * models' `displayName`); without it no relation carries `display`.
 *
 * @example
 * fieldsMetadata(Lead.meta, (t) => (t === "partners" ? "name" : undefined));
 * // [{ name: "id", ... }, { name: "partner_id", type: "many2one", relation: { model: "partners", kind: "many2one", display: "name" } }, ...]
 */
export function fieldsMetadata(
  meta: ModelMeta,
  displayOf: (table: string) => string | undefined = () => undefined,
): FieldInfo[] {
  return visibleFields(meta).map((field) => {
    const o = field.def.options as Record<string, unknown>;
    const info: FieldInfo = {
      name: field.name,
      type: field.kind,
      label: typeof o.label === "string" ? o.label : field.name,
      required: field.required,
      readonly: isReadonly(field),
    };
    if (typeof o.help === "string") info.help = o.help;
    if (
      field.kind === "many2one" ||
      field.kind === "one2many" ||
      field.kind === "many2many" ||
      field.kind === "one2one"
    ) {
      const model = field.target().table;
      const display = displayOf(model);
      info.relation = display === undefined ? { model, kind: field.kind } : { model, kind: field.kind, display };
    }
    if (field.kind === "selection") info.options = (o.options as [string, string][]).map(([v, l]) => [v, l]);
    if (typeof o.maxLength === "number") info.maxLength = o.maxLength;
    if (field.kind === "decimal") {
      info.precision = (o.precision as number | undefined) ?? 18;
      info.scale = (o.scale as number | undefined) ?? 2;
    }
    const d = o.default;
    if (d !== undefined && typeof d !== "function" && d !== "now") info.default = d;
    return info;
  });
}
