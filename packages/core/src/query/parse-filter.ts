import { QueryError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { toDbValue, ValueError } from "../model/validate.js";
import { type CondNode, ast } from "./ast.js";
import { operators } from "./filter-types.js";
import { exprCondition, isFieldRef } from "./expressions.js";

const stringKinds = new Set(["char", "text", "selection"]);
const orderedOps: Record<string, "=" | "<>" | ">" | ">=" | "<" | "<="> = { "=": "=", "!=": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<=" };

/** Options of {@link parseFilter}. */
export interface ParseFilterOptions {
  /** Called for every model a dotted path reaches (access control hooks in here). */
  onPath?: (relation: FieldMeta) => void;
  /** Refuse these fields (e.g. private fields through the REST API). */
  isHidden?: (field: FieldMeta) => boolean;
}

/**
 * Parses a filter list against a model into a condition node, resolving every field name and
 * checking every operator and value. Throws {@link QueryError} before any SQL exists.
 *
 * @example
 * parseFilter(Chat.meta, [["name", "ilike", "gen"], "or", ["creator_id.name", "=", "Ann"]]);
 */
export function parseFilter(model: ModelMeta, filter: unknown, options: ParseFilterOptions = {}): CondNode | undefined {
  if (filter === undefined || filter === null) return undefined;
  if (!Array.isArray(filter)) throw new QueryError(`a filter must be a list, got ${typeof filter}`);
  const cond = parseList(model, filter, options, 0);
  return cond && ast.seal(cond);
}

function parseList(model: ModelMeta, list: readonly unknown[], opts: ParseFilterOptions, depth: number): CondNode | undefined {
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
  if (expectItem && list.length > 0) throw new QueryError("a filter must not end with \"and\" / \"or\"");
  const ors = groups.map((g) => ast.and(g) ?? ({ kind: "const", value: true } as const));
  if (list.length === 0) return undefined;
  return ast.or(ors);
}

function parseItem(model: ModelMeta, item: unknown, opts: ParseFilterOptions, depth: number): CondNode {
  if (!Array.isArray(item)) {
    throw new QueryError(`a filter item must be a [field, operator, value] list, a group, "and", "or" or ["not", item]; got ${JSON.stringify(item)}`);
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
  return parseCondition(model, item, opts);
}

function parseCondition(model: ModelMeta, item: readonly unknown[], opts: ParseFilterOptions): CondNode {
  const [path, op, value] = item;
  if (typeof path !== "string") throw new QueryError(`a condition starts with a field name, got ${JSON.stringify(path)}`);
  if (typeof op !== "string" || !operators.has(op)) {
    throw new QueryError(`unknown operator ${JSON.stringify(op)} in condition on "${path}"; use one of ${[...operators].join(", ")}`, path);
  }
  if (item.length > 3 || (item.length < 3 && op !== "is null" && op !== "is not null")) {
    throw new QueryError(`condition on "${path}" must be [field, operator, value]`, path);
  }
  const leaf = isFieldRef(value) ? (field: FieldMeta) => exprCondition(model, field, op, value, path) : (field: FieldMeta) => buildCondition(field, op, value, path);
  return resolvePath(model, path.split("."), path, leaf, opts);
}

function resolvePath(
  model: ModelMeta,
  segments: string[],
  path: string,
  leaf: (field: FieldMeta) => CondNode,
  opts: ParseFilterOptions,
): CondNode {
  const [name, ...rest] = segments;
  const field = model.fields.get(name ?? "");
  if (!field || opts.isHidden?.(field)) {
    throw new QueryError(`unknown field "${name}" on ${model.table} in filter path "${path}"`, path);
  }
  if (rest.length === 0) {
    if (!field.stored && field.kind !== "one2many" && field.kind !== "many2many" && field.kind !== "one2one") {
      throw new QueryError(`field "${path}" is computed and not stored; it cannot be filtered on`, path);
    }
    if (field.kind === "one2many" || field.kind === "many2many" || field.kind === "one2one") {
      // A condition on the relation itself compares the related ids: ["role_ids", "in", [1, 2]].
      opts.onPath?.(field);
      return { kind: "exists", via: field, cond: leaf(field.target().id) };
    }
    return leaf(field);
  }
  if (field.kind !== "many2one" && field.kind !== "one2many" && field.kind !== "many2many" && field.kind !== "one2one") {
    throw new QueryError(`"${name}" in filter path "${path}" is not a relation, so it cannot be followed`, path);
  }
  opts.onPath?.(field);
  return { kind: "exists", via: field, cond: resolvePath(field.target(), rest, path, leaf, opts) };
}

function convert(field: FieldMeta, value: unknown, path: string): unknown {
  try {
    return toDbValue(field, value);
  } catch (e) {
    if (e instanceof ValueError) throw new QueryError(`filter value for "${path}" ${e.message}`, path);
    throw e;
  }
}

function buildCondition(field: FieldMeta, op: string, value: unknown, path: string): CondNode {
  const kind = field.kind;
  switch (op) {
    case "=":
    case "!=":
      if (value === null) return { kind: "null", field, negate: op === "!=" };
      return negateWithNulls(op === "!=", { kind: "cmp", field, op: "=", value: convert(field, value, path) }, field);
    case ">":
    case ">=":
    case "<":
    case "<=":
      if (value === null || value === undefined) throw new QueryError(`"${op}" on "${path}" needs a value, not null`, path);
      if (kind === "json" || kind === "boolean" || kind === "binary") throw new QueryError(`"${op}" cannot compare a ${kind} field ("${path}")`, path);
      return { kind: "cmp", field, op: orderedOps[op] as "=", value: convert(field, value, path) };
    case "in":
    case "not in": {
      if (!Array.isArray(value)) throw new QueryError(`"${op}" on "${path}" needs a list of values`, path);
      const hasNull = value.includes(null);
      const values = value.filter((v) => v !== null).map((v) => convert(field, v, path));
      const base: CondNode = values.length === 0 ? { kind: "const", value: false } : { kind: "in", field, values, negate: false };
      const withNull: CondNode = hasNull ? ast.or([base, { kind: "null", field, negate: false }]) : base;
      return op === "in" ? withNull : negateWithNulls(true, withNull, field, hasNull);
    }
    case "like":
    case "ilike":
    case "not like":
    case "not ilike":
    case "=like":
    case "=ilike": {
      if (!stringKinds.has(kind)) throw new QueryError(`"${op}" works on text fields; "${path}" is a ${kind} field`, path);
      if (typeof value !== "string") throw new QueryError(`"${op}" on "${path}" needs a string`, path);
      if (value.includes("\u0000")) throw new QueryError(`filter value for "${path}" must not contain the NUL character`, path);
      const raw = op.startsWith("=");
      const pattern = raw ? canonicalPattern(value) : `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const node: CondNode = { kind: "like", field, pattern, ci: op.endsWith("ilike"), negate: false };
      return op.startsWith("not") ? negateWithNulls(true, node, field) : node;
    }
    case "is null":
    case "is not null":
      return { kind: "null", field, negate: op === "is not null" };
    case "between":
    case "not between": {
      if (!Array.isArray(value) || value.length !== 2 || value.includes(null)) {
        throw new QueryError(`"${op}" on "${path}" needs [low, high]`, path);
      }
      const node: CondNode = { kind: "between", field, low: convert(field, value[0], path), high: convert(field, value[1], path), negate: false };
      return op === "between" ? node : negateWithNulls(true, node, field);
    }
    default:
      throw new QueryError(`unknown operator "${op}"`, path);
  }
}

/**
 * Negative operators (`!=`, `not in`, `not like`, `not between`) also match rows where the field is
 * empty, as in Odoo: "not equal to 'a'" includes records with no value. `hadNull` means the list
 * itself asked for NULL, which the negation then excludes.
 */
function negateWithNulls(negate: boolean, node: CondNode, field: FieldMeta, hadNull = false): CondNode {
  if (!negate) return node;
  if (hadNull) return { kind: "not", item: node };
  const positive = node.kind === "in" || node.kind === "like" || node.kind === "between" ? { ...node, negate: true } : node.kind === "cmp" ? { ...node, op: "<>" as const } : { kind: "not" as const, item: node };
  if (field.required || field.name === "id") return positive;
  return ast.or([positive, { kind: "null", field, negate: false }]);
}

/**
 * A user's LIKE pattern in the one form every database reads the same way: `\\` escapes only `%`,
 * `_` and itself. Before any other character a backslash stands for that character (PostgreSQL and
 * MySQL read it so; ClickHouse would keep the backslash), and a trailing one is a literal backslash
 * (PostgreSQL would refuse the pattern).
 */
function canonicalPattern(pattern: string): string {
  return pattern.replace(/\\([\s\S]?)/g, (_, next: string) => (next === "" ? "\\\\" : /[%_\\]/.test(next) ? `\\${next}` : next));
}
