import type { FieldMeta } from "../model/model-meta.js";
import type { SqlCompiler } from "../sql/sql-compiler.js";
import type { CompiledQuery } from "../sql/statement.js";

/**
 * A value of a call in a kept statement's params (a read or write template): the `index`th value of
 * the call, encoded for `field`. Compiled in place of the value, so the statement's text shows where
 * each value is bound.
 */
export class Slot {
  constructor(
    readonly index: number,
    readonly field: FieldMeta | undefined,
  ) {
    Object.freeze(this);
  }
}

/** A template's param with the call's values: a slot's value encoded as the compiler encodes it. */
function bind(param: unknown, values: readonly unknown[], compiler: SqlCompiler): unknown {
  if (param instanceof Slot) return compiler.encode(values[param.index], param.field);
  // a list of slots (PostgreSQL's and ClickHouse's one array parameter of an IN): a fresh list per call
  if (Array.isArray(param)) return param.map((p) => bind(p, values, compiler));
  return param;
}

/**
 * A template's params (a list, or ClickHouse's record) with the call's values. Throws what the
 * compiler's `encode` throws (a date out of ClickHouse's range).
 *
 * @example
 * bindAll([new Slot(0, field)], ["edited"], compiler); // ["edited"]
 */
export function bindAll(
  params: CompiledQuery["params"],
  values: readonly unknown[],
  compiler: SqlCompiler,
): CompiledQuery["params"] {
  if (Array.isArray(params)) return params.map((p) => bind(p, values, compiler));
  const record = params as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(record)) out[k] = bind(record[k], values, compiler);
  return out;
}

/**
 * Whether two params are the same: the same primitives, dates, bytes and lists (anything else is
 * not). A template is kept only when its params, bound with the call's values, are the same as the
 * call's own compiled ones.
 *
 * @example
 * sameParams([1, new Date(0)], [1, new Date(0)]); // true
 */
export function sameParams(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return Object.is(a.getTime(), b.getTime());
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameParams(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameParams(a[k], b[k]));
  }
  return false;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && Object.getPrototypeOf(x) === Object.prototype;
}
