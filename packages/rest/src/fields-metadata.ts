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
  relation?: { model: string; kind: string };
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

/** Field metadata of a model: name, type, label, help, required, readonly, relation, options, maxLength, static default. */
export function fieldsMetadata(meta: ModelMeta): FieldInfo[] {
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
    if (field.kind === "many2one" || field.kind === "one2many" || field.kind === "many2many" || field.kind === "one2one") {
      info.relation = { model: field.target().table, kind: field.kind };
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
