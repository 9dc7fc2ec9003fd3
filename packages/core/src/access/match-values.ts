import type { FieldMeta } from "../model/model-meta.js";
import type { CondNode } from "../query/ast.js";
import { computedOf } from "../query/computed-fields.js";
import { compareValues, datePartOf } from "./compare-values.js";

/** Answers a dotted-path condition (EXISTS) for a row, by asking the database. */
export type ExistsProbe = (via: FieldMeta, value: unknown, cond: CondNode) => Promise<boolean>;

/**
 * Evaluates an access rule against values that are not in the database yet: the create check of
 * databases without transactions (ClickHouse), which must refuse a row before inserting it rather
 * than insert, check and roll back. NULL follows SQL: a comparison with NULL is not true. Values
 * compare by their field's type, as the databases compare them (see `compareValues`: decimals
 * exactly, datetimes as instants, text by code point), and date parts are computed in UTC, so a
 * rule admits here exactly the rows it would match once stored.
 *
 * @example
 * await matchValues(parseFilter(Lead.meta, [["amount", "<", 2]])!, new Map([[amountField, "10"]]), probe); // false
 */
export async function matchValues(
  cond: CondNode,
  row: ReadonlyMap<FieldMeta, unknown>,
  probe: ExistsProbe,
): Promise<boolean> {
  switch (cond.kind) {
    case "and":
      for (const item of cond.items) if (!(await matchValues(item, row, probe))) return false;
      return true;
    case "or":
      for (const item of cond.items) if (await matchValues(item, row, probe)) return true;
      return false;
    case "not":
      return !(await matchValues(cond.item, row, probe));
    case "const":
      return cond.value;
    case "exists": {
      // only a many2one can point at existing rows from a row not yet inserted
      if (cond.via.kind !== "many2one") return false;
      const value = fieldValue(row, cond.via);
      return value !== null && (await probe(cond.via, value, cond.cond));
    }
    default:
      break;
  }
  const field = cond.field;
  const v = fieldValue(row, field);
  const order = (x: unknown) => compareValues(field, v, x);
  switch (cond.kind) {
    case "null":
      return (v === null) !== cond.negate;
    case "cmp":
      return v !== null && holds(order(cond.value), cond.op);
    case "in":
      return v !== null && cond.values.some((x) => order(x) === 0) !== cond.negate;
    case "between":
      return v !== null && (order(cond.low) >= 0 && order(cond.high) <= 0) !== cond.negate;
    case "like":
      return typeof v === "string" && likeRegex(cond.pattern, cond.ci).test(v) !== cond.negate;
    case "cmpExpr":
      // a rule comparing fields with F() is not evaluated outside the database: refuse (never admit) the row
      return false;
  }
}

/** The value of `field` in the row: a date part is computed from its source field's value. */
function fieldValue(row: ReadonlyMap<FieldMeta, unknown>, field: FieldMeta): unknown {
  const computed = computedOf(field);
  if (computed?.kind === "datePart") {
    const source = fieldValue(row, computed.source);
    return source === null ? null : datePartOf(computed.part, source);
  }
  const v = row.get(field);
  return v === undefined ? null : v;
}

/** Whether a comparison result (see `compareValues`; NaN: unordered) satisfies `op`. */
function holds(order: number, op: string): boolean {
  switch (op) {
    case "=":
      return order === 0;
    case "<>":
      return order !== 0;
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
    case "<":
      return order < 0;
    default:
      return order <= 0;
  }
}

/** A SQL LIKE pattern (backslash escapes) as a regular expression. */
function likeRegex(pattern: string, ci: boolean): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\" && i + 1 < pattern.length) re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    else if (c === "%") re += "[\\s\\S]*";
    else if (c === "_") re += "[\\s\\S]";
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, ci ? "iu" : "u");
}
