import type { FieldMeta } from "../model/model-meta.js";
import type { CondNode } from "../query/ast.js";

/** Answers a dotted-path condition (EXISTS) for a row, by asking the database. */
export type ExistsProbe = (via: FieldMeta, value: unknown, cond: CondNode) => Promise<boolean>;

/**
 * Evaluates an access rule against values that are not in the database yet: the create check of
 * databases without transactions (ClickHouse), which must refuse a row before inserting it rather
 * than insert, check and roll back. NULL follows SQL: a comparison with NULL is not true.
 */
export async function matchValues(cond: CondNode, row: ReadonlyMap<FieldMeta, unknown>, probe: ExistsProbe): Promise<boolean> {
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
  const v = fieldValue(row, cond.field);
  switch (cond.kind) {
    case "null":
      return (v === null) !== cond.negate;
    case "cmp":
      return v !== null && compare(v, cond.op, cond.value);
    case "in":
      return v !== null && cond.values.some((x) => same(v, x)) !== cond.negate;
    case "between":
      return v !== null && (compare(v, ">=", cond.low) && compare(v, "<=", cond.high)) !== cond.negate;
    case "like":
      return typeof v === "string" && likeRegex(cond.pattern, cond.ci).test(v) !== cond.negate;
    case "cmpExpr":
      // a rule comparing fields with F() is not evaluated outside the database: refuse (never admit) the row
      return false;
  }
}

function fieldValue(row: ReadonlyMap<FieldMeta, unknown>, field: FieldMeta): unknown {
  const v = row.get(field);
  return v === undefined ? null : v;
}

const key = (v: unknown) => (v instanceof Date ? v.getTime() : v);

function same(a: unknown, b: unknown): boolean {
  return key(a) === key(b);
}

function compare(a: unknown, op: string, b: unknown): boolean {
  const x = key(a) as number | string;
  const y = key(b) as number | string;
  switch (op) {
    case "=":
      return x === y;
    case "<>":
      return x !== y;
    case ">":
      return x > y;
    case ">=":
      return x >= y;
    case "<":
      return x < y;
    default:
      return x <= y;
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
