import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import type { CondNode, QueryNode } from "../query/ast.js";

/** The first `field = value` or `field in (...)` condition of a WHERE (the varying one in a loop of reads). */
function firstEquality(cond: CondNode | undefined): FieldMeta | undefined {
  if (!cond) return undefined;
  if ((cond.kind === "cmp" && cond.op === "=") || (cond.kind === "in" && !cond.negate)) return cond.field;
  if (cond.kind === "and" || cond.kind === "or") {
    for (const item of cond.items) {
      const found = firstEquality(item);
      if (found) return found;
    }
  }
  return undefined;
}

/** Relation fields of `models` for which `test` holds, as "table.field". */
function relationsWhere(models: Iterable<ModelMeta>, test: (f: FieldMeta) => boolean): FieldMeta[] {
  const out: FieldMeta[] = [];
  for (const m of models) for (const f of m.fields.values()) if (test(f)) out.push(f);
  return out;
}

const alternatives = (fields: readonly FieldMeta[]) =>
  fields
    .slice(0, 3)
    .map((f) => `nested: { ${f.name}: [...] } on the ${f.model.table} read`)
    .join(", or ");

/**
 * How to turn a loop of reads of one shape into one read: a nested relation on the parent read
 * (from the relations that lead to the table read) or an `in` filter over the values.
 *
 * @example
 * batchSuggestion(node, models); // 'use nested: { messages: [...] } on the chats read, or filter: [["chat_id", "in", ids]]'
 */
export function batchSuggestion(node: QueryNode, models: ReadonlyMap<string, ModelMeta>): string {
  if (!("model" in node) || node.kind === "update" || node.kind === "delete")
    return "read the records in one statement with an `in` filter";
  const model = node.model;
  const field = firstEquality(node.where);
  if (!field || field === model.id) {
    const parents = relationsWhere(
      models.values(),
      (f) => (f.kind === "many2one" || f.kind === "one2one") && f.target() === model && f.stored,
    );
    const nested = parents.length > 0 ? `use ${alternatives(parents)}, or ` : "";
    return `${nested}read them at once: ${model.table} filter: [["id", "in", ids]]`;
  }
  if (field.kind === "many2one") {
    const children = relationsWhere([field.target()], (f) => f.kind === "one2many" && f.inverse?.() === field);
    const nested = children.length > 0 ? `use ${alternatives(children)}, or ` : "";
    return `${nested}read them at once: ${model.table} filter: [["${field.name}", "in", ids]]`;
  }
  return `read them at once: ${model.table} filter: [["${field.name}", "in", values]]`;
}
