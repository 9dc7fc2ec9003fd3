import type { z } from "zod";
import type { ListQuery } from "./request-schemas.js";
import { validate } from "./validate.js";

/**
 * Hand-written twins of the read routes' hottest zod schemas (`listQuery` and its narrower
 * versions, `filterSchema`), for the requests those schemas accept: each returns what the schema
 * would, or undefined whenever it is not sure, and the caller then runs the schema itself, so
 * refusals (and their 400 details) are zod's, unchanged. They only save zod's per-request work on
 * the common, valid request; they never accept what the schema refuses.
 */

/** Longest value of each free-text list query parameter (as in `listQuery`). */
const textMax: Readonly<Record<string, number>> = { fields: 8_192, filter: 65_536, nested: 65_536, order: 1_024 };
const countText = /^\d{1,15}$/;
const cursorText = /^[A-Za-z0-9_-]+$/;

/** `raw` (from `queryOf`) as `listQuery` would parse it, when every name is in `allowed` and every value plain. */
function quickQuery(raw: Record<string, string>, allowed: ReadonlySet<string>): ListQuery | undefined {
  const out: Record<string, string | number> = {};
  for (const key of Object.keys(raw)) {
    if (!allowed.has(key)) return undefined;
    const value = raw[key] as string;
    const max = textMax[key];
    if (max !== undefined) {
      if (value.length > max) return undefined;
      out[key] = value;
    } else if (key === "sort") {
      if (value !== "asc" && value !== "desc") return undefined;
      out[key] = value;
    } else if (key === "after") {
      if (value.length > 4_096 || !cursorText.test(value)) return undefined;
      out[key] = value;
    } else {
      // limit, offset, size
      if (!countText.test(value)) return undefined;
      out[key] = Number(value);
    }
  }
  return out as ListQuery;
}

/**
 * A list-like query string checked as `schema` (`listQuery` or one of its narrower versions, whose
 * parameters are `allowed`) checks it: the same result for a valid query, zod's 400 otherwise.
 */
export function checkQuery<S extends z.ZodType>(
  schema: S,
  allowed: ReadonlySet<string>,
  raw: Record<string, string>,
): z.output<S> {
  return (quickQuery(raw, allowed) as z.output<S> | undefined) ?? validate(schema, raw, "query");
}

/** Whether `value` is a filter `filterSchema` accepts as it is (lists of scalars, within its bounds). */
function plainFilter(value: unknown, top: boolean, depth: number): boolean {
  if (!Array.isArray(value) || value.length > (top ? 1_000 : 10_000) || depth > 40) return false;
  for (const item of value) {
    if (typeof item === "string") {
      if (item.length > 65_536) return false;
    } else if (typeof item === "number") {
      if (!Number.isFinite(item)) return false;
    } else if (item !== null && typeof item !== "boolean" && !plainFilter(item, false, depth + 1)) return false;
  }
  return true;
}

/** A filter parsed from JSON, checked as `filterSchema` checks it (zod's 400 when it refuses). */
export function checkFilterJson<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  return plainFilter(value, true, 0) ? (value as z.output<S>) : validate(schema, value, "filter");
}
