import type { CompiledQuery } from "../sql/statement.js";

let opaque = 0;

/**
 * One string per distinct set of bound values (bigints and bytes included). Values JSON cannot
 * hold get a key of their own, never equal to another's.
 *
 * @example
 * paramsKey([1, "a"]) === paramsKey([1, "a"]); // true
 */
export function paramsKey(params: CompiledQuery["params"]): string {
  try {
    return JSON.stringify(params, function (this: Record<string, unknown>, k, v) {
      const raw = this[k];
      if (typeof raw === "bigint") return { $bigint: String(raw) };
      if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw).toString("base64") };
      if (raw instanceof Date) return { $date: Number.isNaN(raw.getTime()) ? "invalid" : raw.toISOString() };
      return v;
    });
  } catch {
    return `#opaque${++opaque}`;
  }
}
