import type { FieldMeta } from "../model/model-meta.js";
import type { SelectItem, SelectNode } from "../query/ast.js";

/** Decodes one raw value; adapters may supply their own (see `SqlCompiler.decode`). */
export type Decoder = (field: FieldMeta, raw: unknown, inJson: boolean) => unknown;

/**
 * Turns result rows into records of the model's class (so methods defined on a subclass work),
 * nested relations included, then fills computed fields.
 */
export function hydrate(select: SelectNode, rows: readonly Record<string, unknown>[], decode: Decoder): object[] {
  const out = new Array<object>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = hydrateRow(select, rows[i] as Record<string, unknown>, decode, false);
  return out;
}

function hydrateRow(select: SelectNode, row: Record<string, unknown>, decode: Decoder, inJson: boolean): object {
  const record = Object.create(select.model.ctor.prototype) as Record<string, unknown>;
  for (const item of select.items) record[item.field.name] = hydrateItem(item, row[item.field.name], decode, inJson);
  if (select.computed) for (const field of select.computed) record[field.name] = field.def.options.compute!(record);
  return record;
}

function hydrateItem(item: SelectItem, raw: unknown, decode: Decoder, inJson: boolean): unknown {
  if (item.kind === "column") return decode(item.field, raw, inJson);
  const value = typeof raw === "string" ? JSON.parse(raw) : raw;
  const target = item.field.target();
  const many = item.field.kind === "one2many" || item.field.kind === "many2many";
  if (item.kind === "ids") {
    if (!many) return value === null || value === undefined ? null : decode(target.id, value, true);
    return ((value ?? []) as unknown[]).map((v) => decode(target.id, v, true));
  }
  if (!many) return value === null || value === undefined ? null : hydrateRow(item.sub, value as Record<string, unknown>, decode, true);
  return ((value ?? []) as Record<string, unknown>[]).map((v) => hydrateRow(item.sub, v, decode, true));
}

