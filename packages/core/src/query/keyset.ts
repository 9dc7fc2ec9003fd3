import { QueryError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { toDbValue } from "../model/validate.js";
import { type CondNode, type OrderNode, ast } from "./ast.js";

/**
 * Keyset ("cursor") pagination: the next page starts after the last row's sort key, so pages stay
 * stable while rows are inserted, for any order (ties broken by id). NULLs sort last ascending and
 * first descending, as everywhere in DotORM.
 */

/** The order with id appended as the final tie-breaker. */
export function keysetOrder(model: ModelMeta, order: readonly OrderNode[]): OrderNode[] {
  return order.some((o) => o.field.name === "id") ? [...order] : [...order, { field: model.id, desc: false }];
}

/** The sort key of a hydrated record, as database values. */
export function sortKey(order: readonly OrderNode[], row: Record<string, unknown>): unknown[] {
  return order.map((o) => {
    const v = row[o.field.name];
    return typeof v === "object" && v !== null && !(v instanceof Date) && "id" in v
      ? (v as { id: unknown }).id
      : (v ?? null);
  });
}

/** Encodes the sort key of the last row of a page. */
export function encodeCursor(order: readonly OrderNode[], row: Record<string, unknown>): string {
  const values = sortKey(order, row).map((v) => (v instanceof Date ? v.toISOString() : v));
  return Buffer.from(
    JSON.stringify({ k: order.map((o) => `${o.desc ? "-" : ""}${o.field.name}`), v: values }),
  ).toString("base64url");
}

/** Decodes a cursor and returns the condition "comes after it" for this order. */
export function afterCursor(order: readonly OrderNode[], cursor: string): CondNode {
  let parsed: { k?: unknown; v?: unknown } | null = null;
  try {
    if (typeof cursor === "string") parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new QueryError("the pagination cursor is malformed; pass the cursor of the previous page unchanged");
  }
  const keys = order.map((o) => `${o.desc ? "-" : ""}${o.field.name}`);
  if (
    !Array.isArray(parsed.k) ||
    !Array.isArray(parsed.v) ||
    parsed.k.join(",") !== keys.join(",") ||
    parsed.v.length !== keys.length
  ) {
    throw new QueryError("the pagination cursor belongs to another order; restart paging without `after`");
  }
  return afterValues(
    order,
    (parsed.v as unknown[]).map((v, i) => (v === null ? null : convert((order[i] as OrderNode).field, v))),
  );
}

/** The condition "comes after the row whose sort key is `values`" for this order. */
export function afterValues(order: readonly OrderNode[], values: readonly unknown[]): CondNode {
  const alternatives: CondNode[] = [];
  order.forEach((term, i) => {
    const after = strictlyAfter(term, values[i]);
    if (!after) return;
    const equal = order.slice(0, i).map((t, j) => equalTo(t.field, values[j]));
    alternatives.push(ast.and([...equal, after]) as CondNode);
  });
  return alternatives.length === 0 ? ast.const(false) : ast.or(alternatives);
}

function convert(field: FieldMeta, value: unknown): unknown {
  try {
    return toDbValue(field, value);
  } catch {
    throw new QueryError(`the pagination cursor holds an invalid value for "${field.name}"`, field.name);
  }
}

function equalTo(field: FieldMeta, value: unknown): CondNode {
  return ast.seal(value === null ? { kind: "null", field, negate: false } : { kind: "cmp", field, op: "=", value });
}

function strictlyAfter(term: OrderNode, value: unknown): CondNode | undefined {
  const { field, desc } = term;
  if (!desc) {
    // ascending, NULLs last: after v come larger values and then every NULL; nothing comes after NULL
    if (value === null) return undefined;
    return ast.or([
      { kind: "cmp", field, op: ">", value },
      { kind: "null", field, negate: false },
    ]);
  }
  // descending, NULLs first: after NULL come all values; after v, smaller values
  if (value === null) return ast.seal({ kind: "null", field, negate: true });
  return ast.seal({ kind: "cmp", field, op: "<", value });
}
