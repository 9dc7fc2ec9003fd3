import { QueryError } from "../errors.js";
import type { FieldMeta } from "../model/model-meta.js";
import { checkText, toDbValue, ValueError } from "../model/validate.js";
import { type CondNode, ast } from "./ast.js";

const stringKinds = new Set(["char", "text", "selection"]);
const orderedOps: Record<string, "=" | "<>" | ">" | ">=" | "<" | "<="> = {
  "=": "=",
  "!=": "<>",
  ">": ">",
  ">=": ">=",
  "<": "<",
  "<=": "<=",
};
const never: CondNode = { kind: "const", value: false };

/** "a char field", "an integer field": the article a field kind takes. */
export function article(kind: string): string {
  return `${/^[aeiou]/i.test(kind) ? "an" : "a"} ${kind}`;
}

/**
 * Whether a comparison with `value` holds for an empty field (NULL, or no related row along a path):
 * `= null`, `is null` and `in [..., null]` do. Only positive operators are asked.
 */
export function holdsForNull(op: string, value: unknown): boolean {
  return (
    (op === "=" && value === null) || op === "is null" || (op === "in" && Array.isArray(value) && value.includes(null))
  );
}

/**
 * Builds the node of one condition on a column, checking the operator against the field and
 * converting the value. Negative operators also match rows where the field is empty, so each is the
 * exact complement of its positive one.
 */
export function leafCondition(field: FieldMeta, op: string, value: unknown, path: string): CondNode {
  const kind = field.kind;
  switch (op) {
    case "=":
    case "!=":
      if (value === null) return nullCheck(field, op === "!=");
      // no stored value is longer than the field allows, so an over-long one matches nothing
      if (tooLong(field, value)) return negateWithNulls(op === "!=", never, field);
      return negateWithNulls(op === "!=", { kind: "cmp", field, op: "=", value: convert(field, value, path) }, field);
    case ">":
    case ">=":
    case "<":
    case "<=":
      if (value === null || value === undefined)
        throw new QueryError(`"${op}" on "${path}" needs a value, not null`, path);
      if (kind === "json" || kind === "boolean" || kind === "binary")
        throw new QueryError(`"${op}" cannot compare ${article(kind)} field ("${path}")`, path);
      return { kind: "cmp", field, op: orderedOps[op] as "=", value: comparable(field, value, path) };
    case "in":
    case "not in": {
      if (!Array.isArray(value)) throw new QueryError(`"${op}" on "${path}" needs a list of values`, path);
      const hasNull = value.includes(null);
      const values = value.filter((v) => v !== null && !tooLong(field, v)).map((v) => convert(field, v, path));
      const base: CondNode = values.length === 0 ? never : { kind: "in", field, values, negate: false };
      const withNull: CondNode = hasNull ? ast.or([base, nullCheck(field, false)]) : base;
      return op === "in" ? withNull : negateWithNulls(true, withNull, field, hasNull);
    }
    case "like":
    case "ilike":
    case "not like":
    case "not ilike":
    case "=like":
    case "=ilike": {
      if (!stringKinds.has(kind))
        throw new QueryError(`"${op}" works on text fields; "${path}" is ${article(kind)} field`, path);
      if (typeof value !== "string") throw new QueryError(`"${op}" on "${path}" needs a string`, path);
      checkPattern(value, path);
      const raw = op.startsWith("=");
      const pattern = raw ? canonicalPattern(value) : `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const node: CondNode = { kind: "like", field, pattern, ci: op.endsWith("ilike"), negate: false };
      return op.startsWith("not") ? negateWithNulls(true, node, field) : node;
    }
    case "is null":
    case "is not null":
      return nullCheck(field, op === "is not null");
    case "between":
    case "not between": {
      if (!Array.isArray(value) || value.length !== 2 || value.includes(null)) {
        throw new QueryError(`"${op}" on "${path}" needs [low, high]`, path);
      }
      const node: CondNode = {
        kind: "between",
        field,
        low: comparable(field, value[0], path),
        high: comparable(field, value[1], path),
        negate: false,
      };
      return op === "between" ? node : negateWithNulls(true, node, field);
    }
    default:
      throw new QueryError(`unknown operator "${op}"`, path);
  }
}

/** IS [NOT] NULL; an id is never null, so on an id it is a constant. */
function nullCheck(field: FieldMeta, negate: boolean): CondNode {
  return field === field.model.id ? { kind: "const", value: negate } : { kind: "null", field, negate };
}

/** A string longer than the char field's `maxLength` (in code points, as the database counts): its `=` matches nothing. */
export function tooLong(field: FieldMeta, value: unknown): boolean {
  const max = (field.def.options as { maxLength?: number }).maxLength;
  return (
    field.kind === "char" &&
    typeof value === "string" &&
    max !== undefined &&
    value.length > max &&
    [...value].length > max
  );
}

function convert(field: FieldMeta, value: unknown, path: string): unknown {
  try {
    return toDbValue(field, value);
  } catch (e) {
    if (e instanceof ValueError) throw new QueryError(`filter value for "${path}" ${e.message}`, path);
    throw e;
  }
}

/** A bound of an ordering comparison: an over-long string still orders against stored values. */
function comparable(field: FieldMeta, value: unknown, path: string): unknown {
  if (!tooLong(field, value)) return convert(field, value, path);
  checkPattern(value as string, path);
  return value;
}

/** Text no database stores unchanged (NUL, lone surrogates) is refused in filters too. */
function checkPattern(value: string, path: string): void {
  try {
    checkText(value, "");
  } catch (e) {
    if (e instanceof ValueError) throw new QueryError(`filter value for "${path}" ${e.message}`, path);
    throw e;
  }
}

/**
 * Negative operators (`!=`, `not in`, `not like`, `not between`) also match rows where the field is
 * empty, as in Odoo: "not equal to 'a'" includes records with no value. `hadNull` means the list
 * itself asked for NULL, which the negation then excludes.
 */
function negateWithNulls(negate: boolean, node: CondNode, field: FieldMeta, hadNull = false): CondNode {
  if (!negate) return node;
  if (hadNull || node.kind === "const") return { kind: "not", item: node };
  const positive =
    node.kind === "in" || node.kind === "like" || node.kind === "between"
      ? { ...node, negate: true }
      : node.kind === "cmp"
        ? { ...node, op: "<>" as const }
        : { kind: "not" as const, item: node };
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
  return pattern.replace(/\\([\s\S]?)/g, (_, next: string) =>
    next === "" ? "\\\\" : /[%_\\]/.test(next) ? `\\${next}` : next,
  );
}
