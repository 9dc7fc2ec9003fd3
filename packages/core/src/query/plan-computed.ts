import { QueryError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import type { AggregateFn, PathHop } from "./ast.js";
import { aggregateField, pathField } from "./computed-fields.js";

const singleKinds = new Set(["many2one", "one2one"]);
const manyKinds = new Set(["one2many", "many2many"]);
const numericKinds = new Set(["integer", "smallInteger", "bigInteger", "float", "decimal"]);
const fns = new Set<AggregateFn>(["count", "sum", "avg", "min", "max", "count_distinct"]);

/** Whether a `values()` / `orderBy()` name walks relations (`author_id__name`). */
export const isPath = (name: string): boolean => name.includes("__");

/**
 * Resolves `author_id__name` (many2one / one2one hops, then a stored field) into a computed field
 * read from `model`'s rows. The hops carry no rule: the secure step checks every hop's relation
 * field and the leaf, and adds each related model's read rule (a row it hides reads as NULL).
 */
export function planPath(model: ModelMeta, name: string): FieldMeta {
  const segments = name.split("__");
  if (segments.some((s) => s === "")) throw new QueryError(`malformed path "${name}": use relation__field`, name);
  const hops: PathHop[] = [];
  let current = model;
  for (const segment of segments.slice(0, -1)) {
    const via = current.fields.get(segment);
    if (!via || !singleKinds.has(via.kind)) {
      const why =
        via && manyKinds.has(via.kind)
          ? "is a to-many relation: load it with nested()"
          : via
            ? "is not a relation"
            : `is not a field of ${current.table}`;
      throw new QueryError(`"${segment}" in "${name}" ${why}; paths follow many2one and one2one fields`, name);
    }
    hops.push({ via });
    current = via.target();
  }
  const leafName = segments[segments.length - 1] as string;
  const leaf = current.fields.get(leafName);
  if (!leaf?.stored || manyKinds.has(leaf.kind))
    throw new QueryError(`"${name}": ${current.table} has no stored field "${leafName}"`, name);
  return pathField(model, name, hops, leaf);
}

/**
 * Plans `annotate({ alias: [relation, fn] | [relation__field, fn] })`: per-row aggregates of a
 * one2many / many2many, each a correlated subquery (the secure step adds the related model's read rule).
 */
export function planAnnotations(model: ModelMeta, spec: unknown): Map<string, FieldMeta> {
  const out = new Map<string, FieldMeta>();
  if (spec === undefined) return out;
  if (typeof spec !== "object" || spec === null || Array.isArray(spec))
    throw new QueryError('annotate() takes { alias: ["relation", "count"] }');
  for (const [alias, entry] of Object.entries(spec)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias) || alias.includes("__") || model.fields.has(alias)) {
      throw new QueryError(
        `annotation "${alias}" must be a plain identifier without "__" that is not a field of ${model.table}`,
        alias,
      );
    }
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== "string" || typeof entry[1] !== "string") {
      throw new QueryError(`annotation "${alias}" must be [relation, function], e.g. ["messages", "count"]`, alias);
    }
    const [path, fn] = entry as [string, string];
    if (!fns.has(fn as AggregateFn))
      throw new QueryError(
        `annotation "${alias}": unknown function "${fn}"; use count, sum, avg, min, max or count_distinct`,
        alias,
      );
    const [relName, fieldName, ...rest] = path.split("__");
    const via = model.fields.get(relName ?? "");
    if (!via || !manyKinds.has(via.kind) || rest.length > 0) {
      throw new QueryError(
        `annotation "${alias}": "${path}" must be a one2many or many2many field of ${model.table}, optionally __ one of its fields`,
        alias,
      );
    }
    const target = via.target();
    const field = fieldName === undefined ? target.id : target.fields.get(fieldName);
    if (!field?.stored || manyKinds.has(field.kind))
      throw new QueryError(`annotation "${alias}": ${target.table} has no stored field "${fieldName}"`, alias);
    if ((fn === "sum" || fn === "avg") && !numericKinds.has(field.kind)) {
      throw new QueryError(
        `annotation "${alias}": ${fn} needs a numeric field; ${target.table}.${field.name} is ${field.kind}`,
        alias,
      );
    }
    out.set(alias, aggregateField(model, alias, { via }, fn as AggregateFn, field));
  }
  return out;
}
