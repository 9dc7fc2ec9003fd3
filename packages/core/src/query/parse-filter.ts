import { QueryError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { type CondNode, type DatePart, ast } from "./ast.js";
import { datePartField, dateParts } from "./computed-fields.js";
import { operators } from "./filter-types.js";
import { exprCondition, isFieldRef } from "./expressions.js";
import { article, holdsForNull, leafCondition } from "./leaf-condition.js";
import { shown } from "../model/shown.js";

/** Each negative operator and the positive one it is the complement of. */
const negatives: Readonly<Record<string, string>> = {
  "!=": "=",
  "not in": "in",
  "not like": "like",
  "not ilike": "ilike",
  "not between": "between",
  "is not null": "is null",
  "not any": "any",
};
const textOps = new Set(["like", "ilike", "not like", "not ilike", "=like", "=ilike"]);
const isRelation = (f: FieldMeta) =>
  f.kind === "many2one" || f.kind === "one2many" || f.kind === "many2many" || f.kind === "one2one";

/** Options of {@link parseFilter}. */
export interface ParseFilterOptions {
  /** Called for every model a dotted path reaches (access control hooks in here). */
  onPath?: (relation: FieldMeta) => void;
  /** Refuse these fields (e.g. private fields through the REST API). */
  isHidden?: (field: FieldMeta) => boolean;
  /** Extra names a condition may compare, planned by core (a query set's annotations). */
  named?: ReadonlyMap<string, FieldMeta>;
}

/** The conditions {@link parseFilter} returned, by the model each was parsed for. */
const parsedFor = new WeakMap<CondNode, ModelMeta>();

/**
 * Parses a filter list against a model into a condition node, resolving every field name and
 * checking every operator and value. Throws {@link QueryError} before any SQL exists.
 *
 * At runtime, a condition this function returned may stand for its filter list wherever a read of
 * the same model takes `filter` (`search`, `count`, `exists`; the typed options still take lists, so
 * this serves loosely typed callers such as `@dotorm/rest`): one parse then serves several statements,
 * as a page and its total. It is taken as it is only without `isHidden` and `onPath` (those checks
 * would not run again); the access step secures it as it secures a list. Any other non-list is refused.
 *
 * @example
 * parseFilter(Chat.meta, [["name", "ilike", "gen"], "or", ["creator_id.name", "=", "Ann"]]);
 */
export function parseFilter(model: ModelMeta, filter: unknown, options: ParseFilterOptions = {}): CondNode | undefined {
  if (filter === undefined || filter === null) return undefined;
  if (!Array.isArray(filter)) {
    const parsed = reusable(model, filter, options);
    if (parsed) return parsed;
    throw new QueryError(`a filter must be a list, got ${typeof filter}`);
  }
  const cond = parseList(model, filter, options, 0);
  if (!cond) return undefined;
  const sealed = ast.seal(cond);
  parsedFor.set(sealed, model);
  return sealed;
}

/** `filter` when it is a condition parseFilter built for `model` and no per-call check is asked for. */
function reusable(model: ModelMeta, filter: unknown, options: ParseFilterOptions): CondNode | undefined {
  if (typeof filter !== "object" || filter === null || options.isHidden || options.onPath) return undefined;
  return parsedFor.get(filter as CondNode) === model ? (filter as CondNode) : undefined;
}

function parseList(
  model: ModelMeta,
  list: readonly unknown[],
  opts: ParseFilterOptions,
  depth: number,
): CondNode | undefined {
  if (depth > 32) throw new QueryError("filter nests too deeply (more than 32 levels)");
  const groups: CondNode[][] = [[]];
  let expectItem = true;
  for (const item of list) {
    if (item === "and" || item === "or") {
      if (expectItem) throw new QueryError(`"${item}" must stand between two conditions`);
      if (item === "or") groups.push([]);
      expectItem = true;
      continue;
    }
    const node = parseItem(model, item, opts, depth);
    (groups[groups.length - 1] as CondNode[]).push(node);
    expectItem = false;
  }
  if (expectItem && list.length > 0) throw new QueryError('a filter must not end with "and" / "or"');
  const ors = groups.map((g) => ast.and(g) ?? ({ kind: "const", value: true } as const));
  if (list.length === 0) return undefined;
  return ast.or(ors);
}

function parseItem(model: ModelMeta, item: unknown, opts: ParseFilterOptions, depth: number): CondNode {
  if (!Array.isArray(item)) {
    throw new QueryError(
      `a filter item must be a [field, operator, value] list, a group, "and", "or" or ["not", item]; got ${shown(item)}`,
    );
  }
  if (item[0] === "not") {
    if (item.length !== 2) throw new QueryError('"not" takes exactly one item: ["not", condition]');
    if (depth > 32) throw new QueryError("filter nests too deeply (more than 32 levels)");
    // parseItem tells a condition, a group and another ["not", ...] apart itself.
    return { kind: "not", item: parseItem(model, item[1], opts, depth + 1) };
  }
  if (item.length === 0 || Array.isArray(item[0])) {
    return parseList(model, item, opts, depth + 1) ?? { kind: "const", value: true };
  }
  return parseCondition(model, item, opts, depth);
}

function parseCondition(model: ModelMeta, item: readonly unknown[], opts: ParseFilterOptions, depth: number): CondNode {
  const [path, op, value] = item;
  if (typeof path !== "string") throw new QueryError(`a condition starts with a field name, got ${shown(path)}`);
  if (typeof op !== "string" || !operators.has(op)) {
    throw new QueryError(
      `unknown operator ${shown(op)} in condition on "${path}"; use one of ${[...operators].join(", ")}`,
      path,
    );
  }
  if (item.length > 3 || (item.length < 3 && op !== "is null" && op !== "is not null")) {
    throw new QueryError(`condition on "${path}" must be [field, operator, value]`, path);
  }
  const named = opts.named?.get(path);
  if (named) {
    if (isFieldRef(value)) throw new QueryError(`"${path}" is an annotation; F() compares stored fields`, path);
    return leafCondition(named, op, value, path);
  }
  const steps = resolvePath(model, path, opts);
  const last = steps[steps.length - 1] as FieldMeta;
  const positive = negatives[op] ?? op;
  if (positive === "any") {
    if (!isRelation(last))
      throw new QueryError(`"${op}" takes a relation field; "${path}" is ${article(last.kind)} field`, path);
    if (!Array.isArray(value))
      throw new QueryError(`"${op}" on "${path}" needs a filter list on ${last.target().table}`, path);
  } else if (isRelation(last) && textOps.has(op)) {
    const example =
      [...last.target().fields.values()].find((f) => f.kind === "char" || f.kind === "text")?.name ?? "name";
    throw new QueryError(
      `"${op}" cannot match the relation "${path}" itself; write a dotted path to a text field of ${last.target().table}, such as "${path}.${example}"`,
      path,
    );
  }
  // relations crossed: the path's, plus the last field when the condition is on related records
  // (a one2many / many2many compares its related ids, `any` filters them)
  const relations = isRelation(last) && (last.kind !== "many2one" || positive === "any") ? steps : steps.slice(0, -1);
  // F() compares fields of one record: exprCondition refuses a field reached through a relation
  if (isFieldRef(value))
    return exprCondition(model, relations.includes(last) ? last.target().id : last, op, value, path);
  if (relations.length === 0) return leafCondition(last, op, value, path);
  const leaf =
    positive === "any"
      ? (parseList(last.target(), value as unknown[], opts, depth + 1) ?? { kind: "const", value: true })
      : leafCondition(relations.includes(last) ? last.target().id : last, positive, value, path);
  const node = throughPath(relations, leaf, holdsForNull(positive, value));
  // a negative operator is the exact complement of its positive one, related records or not
  return positive === op ? node : { kind: "not", item: node };
}

/** The fields a dotted path names (all but the last are relations), each checked and reported to `onPath`. */
function resolvePath(model: ModelMeta, path: string, opts: ParseFilterOptions): FieldMeta[] {
  const steps: FieldMeta[] = [];
  const segments = path.split(".");
  let current = model;
  for (const [i, name] of segments.entries()) {
    const field = current.fields.get(name);
    if (!field || opts.isHidden?.(field))
      throw new QueryError(`unknown field "${name}" on ${current.table} in filter path "${path}"`, path);
    const part = segments[i + 1];
    if (
      (field.kind === "date" || field.kind === "datetime") &&
      i === segments.length - 2 &&
      part !== undefined &&
      dateParts.has(part)
    ) {
      // a date part: ["created_at.year", ">=", 2024]
      if (!field.stored)
        throw new QueryError(`field "${path}" is computed and not stored; it cannot be filtered on`, path);
      steps.push(datePartField(field, part as DatePart));
      break;
    }
    steps.push(field);
    if (i === segments.length - 1) break;
    if (!isRelation(field))
      throw new QueryError(`"${name}" in filter path "${path}" is not a relation, so it cannot be followed`, path);
    opts.onPath?.(field);
    current = field.target();
  }
  const last = steps[steps.length - 1] as FieldMeta;
  if (!last.stored && !isRelation(last))
    throw new QueryError(`field "${path}" is computed and not stored; it cannot be filtered on`, path);
  if (last.kind !== "many2one" && isRelation(last)) opts.onPath?.(last);
  return steps;
}

/**
 * A positive condition `leaf` reached through `relations` (outermost first): some related row
 * matches it. When the condition holds for an empty value (`= null`, `is null`, `in [..., null]`),
 * a row with no related row matches too: a missing row counts as null along the path, as an outer
 * join reads it.
 */
function throughPath(relations: readonly FieldMeta[], leaf: CondNode, nullOk: boolean): CondNode {
  let cond = leaf;
  for (const via of [...relations].reverse()) {
    const some: CondNode = cond.kind === "const" && !cond.value ? cond : { kind: "exists", via, cond };
    if (!nullOk) cond = some;
    else {
      const none: CondNode = { kind: "not", item: { kind: "exists", via, cond: { kind: "const", value: true } } };
      cond = some.kind === "const" ? none : ast.or([some, none]);
    }
  }
  return cond;
}

/**
 * Whether `cond` holds for a record that does not exist: every field empty, no related record
 * (the database reads an unknown comparison as false, and `not` as its complement).
 */
export function holdsWhenMissing(cond: CondNode): boolean {
  switch (cond.kind) {
    case "and":
      return cond.items.every(holdsWhenMissing);
    case "or":
      return cond.items.some(holdsWhenMissing);
    case "not":
      return !holdsWhenMissing(cond.item);
    case "const":
      return cond.value;
    case "null":
      return !cond.negate;
    default:
      return false;
  }
}
