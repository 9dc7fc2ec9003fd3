import { QueryError, ValidationError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "./model-meta.js";
import { type Id, isNumericKey } from "./primary-key.js";
import { shown } from "./shown.js";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const intRanges = {
  smallInteger: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  bigInteger: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
} as const;

/** Thrown by {@link toDbValue}; the caller decides whether it is a ValidationError or a QueryError. */
export class ValueError extends Error {}

function fail(message: string): never {
  throw new ValueError(message);
}

const describe = (v: unknown) =>
  typeof v === "string"
    ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)
    : typeof v === "object"
      ? v === null
        ? "null"
        : Array.isArray(v)
          ? "an array"
          : "an object"
      : String(v);

/**
 * Converts a JavaScript value for a field into the value sent to the database, refusing what the
 * field cannot hold. `null` is returned as is; required-ness is checked by the caller.
 */
export function toDbValue(field: FieldMeta, value: unknown): unknown {
  if (value === null) return null;
  if (value === undefined) fail("must not be undefined (use null to clear it)");
  const o = field.def.options as Record<string, unknown>;
  switch (field.kind) {
    case "integer":
    case "smallInteger":
    case "bigInteger": {
      let n = value;
      if (typeof n === "string" && /^-?\d+$/.test(n.trim())) n = Number(n);
      if (typeof n === "bigint") n = Number(n);
      if (typeof n !== "number" || !Number.isInteger(n)) fail(`must be an integer, got ${describe(value)}`);
      // Ids are positive safe integers on every adapter (as get/update/delete already accept):
      // ClickHouse's adapter-generated ids exceed 32 bits, so filters and cursors on `id` take the
      // safe range; a database with 32-bit ids refuses a larger value itself.
      const [lo, hi] = field === field.model.id && field.model.identity ? intRanges.bigInteger : intRanges[field.kind];
      if (n < lo || n > hi) fail(`must be between ${lo} and ${hi} for a ${field.kind} field, got ${n}`);
      return n;
    }
    case "float": {
      // decimal notation only: Number() would also take "0x10", "0b1" and "Infinity"
      const n =
        typeof value === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value) ? Number(value) : value;
      if (typeof n !== "number" || !Number.isFinite(n)) fail(`must be a finite number, got ${describe(value)}`);
      return n;
    }
    case "decimal":
      return toDecimal(value, (o.precision as number) ?? 18, (o.scale as number) ?? 2);
    case "char":
    case "text": {
      if (typeof value !== "string") fail(`must be a string, got ${describe(value)}`);
      checkText(value, "");
      const max = o.maxLength as number | undefined;
      // value.length counts UTF-16 units, never fewer than code points: only a longer string needs counting
      if (field.kind === "char" && max !== undefined && value.length > max) {
        const len = [...value].length;
        if (len > max) fail(`is ${len} characters long; the maximum is ${max}`);
      }
      return value;
    }
    case "selection": {
      const options = o.options as readonly (readonly [string, string])[];
      if (typeof value !== "string" || !options.some((x) => x[0] === value)) {
        const allowed = options.map((x) => x[0]);
        fail(`must be one of ${allowed.map((x) => JSON.stringify(x)).join(", ")}, got ${describe(value)}`);
      }
      return value;
    }
    case "boolean":
      if (typeof value !== "boolean") fail(`must be true or false, got ${describe(value)}`);
      return value;
    case "datetime":
      return toDate(value);
    case "date":
      return toDateOnly(value);
    case "time":
      return toTime(value);
    case "json":
      checkJson(value, "", new Set());
      return value;
    case "binary":
      if (!(value instanceof Uint8Array)) fail(`must be a Uint8Array or Buffer, got ${describe(value)}`);
      return value;
    case "uuid":
      if (typeof value !== "string" || !uuidPattern.test(value))
        fail(`must be a UUID ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"), got ${describe(value)}`);
      return value.toLowerCase();
    case "many2one":
    case "one2one": {
      const id = typeof value === "object" && value !== null && "id" in value ? (value as { id: unknown }).id : value;
      const target = field.target();
      if (!target.identity) {
        try {
          return toDbValue(target.id, id);
        } catch (e) {
          if (e instanceof ValueError) fail(`must be the id of a ${target.table} record: it ${e.message}`);
          throw e;
        }
      }
      if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) {
        fail(`must be the id (a positive integer) of a ${target.table} record, got ${describe(value)}`);
      }
      return id;
    }
    default:
      return fail(`cannot be written directly (${field.kind})`);
  }
}

function toDecimal(value: unknown, precision: number, scale: number): string {
  let s: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(`must be a finite number, got ${value}`);
    s = String(value);
    if (/e/i.test(s)) fail(`${s} is too large or too small to write exactly; pass it as a decimal string`);
  } else if (typeof value === "string") {
    s = value.trim();
  } else {
    return fail(`must be a decimal number as a string or number, got ${describe(value)}`);
  }
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) fail(`must be a decimal number, got ${describe(value)}`);
  const int = (m[2] ?? "").replace(/^0+(?=\d)/, "") || "0";
  const frac = (m[3] ?? "").replace(/0+$/, "");
  if (frac.length > scale) fail(`has ${frac.length} digits after the point; the scale allows ${scale}`);
  const intDigits = int === "0" ? 0 : int.length;
  if (intDigits > precision - scale) {
    fail(
      `has ${intDigits} digits before the point; precision ${precision} with scale ${scale} allows ${precision - scale}`,
    );
  }
  const negative = m[1] === "-" && (int !== "0" || frac !== "");
  return `${negative ? "-" : ""}${int}${frac ? `.${frac}` : ""}`;
}

function toDate(value: unknown): Date {
  const d =
    value instanceof Date
      ? value
      : typeof value === "string" || typeof value === "number"
        ? new Date(value)
        : undefined;
  if (!d || Number.isNaN(d.getTime()))
    fail(`must be a Date, an ISO 8601 string or epoch milliseconds, got ${describe(value)}`);
  if (typeof value === "string") {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    if (!m) fail(`must be an ISO 8601 date-time, got ${describe(value)}`);
    // Date.parse rolls "2024-02-30" over into March; the written day must exist
    if (!isCalendarDay(m[1], m[2], m[3])) fail(`must be a real calendar date, got ${describe(value)}`);
  }
  return d;
}

function isCalendarDay(y: string | undefined, m: string | undefined, d: string | undefined): boolean {
  // ISO text rather than Date.UTC, which reads years 0-99 as 1900-1999
  const day = new Date(`${y}-${m}-${d}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === `${y}-${m}-${d}`;
}

function toDateOnly(value: unknown): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) fail("must be a valid date");
    return value.toISOString().slice(0, 10);
  }
  if (typeof value !== "string") fail(`must be a "YYYY-MM-DD" string or a Date, got ${describe(value)}`);
  // Checked arithmetically (no Date per value: bulk inserts validate millions of these).
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const year = Number(m?.[1]);
  const month = Number(m?.[2]);
  const day = Number(m?.[3]);
  if (!m || year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    fail(`must be a real calendar date "YYYY-MM-DD", got ${describe(value)}`);
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function toTime(value: unknown): string {
  if (typeof value !== "string") fail(`must be a "HH:MM[:SS[.ffffff]]" string, got ${describe(value)}`);
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?$/.exec(value);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) {
    fail(`must be a time of day "HH:MM[:SS[.ffffff]]", got ${describe(value)}`);
  }
  return m[3] === undefined ? `${value}:00` : value;
}

/** A lone UTF-16 surrogate: no character, so no database can store it (drivers write U+FFFD instead). */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses text a database would change or reject: the NUL character (PostgreSQL refuses it, in text
 * and in JSON) and lone surrogates (stored as U+FFFD), so nothing is changed silently.
 */
export function checkText(value: string, at: string): void {
  if (value.includes("\u0000")) fail(`must not contain the NUL character (\\u0000)${at}`);
  if (loneSurrogate.test(value))
    fail(`must be well-formed Unicode: it holds a lone surrogate (half of a UTF-16 pair)${at}`);
}

function checkJson(value: unknown, path: string, seen: Set<object>): void {
  const at = path ? ` at ${path}` : "";
  switch (typeof value) {
    case "string":
      checkText(value, at);
      return;
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) fail(`is not JSON-serialisable: ${value}${at}`);
      return;
    case "object": {
      if (value === null) return;
      if (seen.has(value)) fail(`is not JSON-serialisable: circular reference${at}`);
      const proto = Object.getPrototypeOf(value);
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
        fail(
          `is not JSON-serialisable: ${proto?.constructor?.name ?? "object"} instance${at} (use plain objects, arrays and primitives)`,
        );
      }
      seen.add(value);
      if (Array.isArray(value)) for (const [i, v] of value.entries()) checkJson(v, `${path}[${i}]`, seen);
      else {
        for (const [k, v] of Object.entries(value)) {
          checkText(k, ` in a key${at}`);
          checkJson(v, path ? `${path}.${k}` : k, seen);
        }
      }
      seen.delete(value);
      return;
    }
    default:
      fail(`is not JSON-serialisable: ${typeof value}${at}`);
  }
}

/** Runs {@link toDbValue} and turns a refusal into a {@link ValidationError} naming the field. */
export function validateValue(field: FieldMeta, value: unknown): unknown {
  try {
    return toDbValue(field, value);
  } catch (e) {
    if (e instanceof ValueError) {
      throw new ValidationError(`${field.model.table}.${field.name} ${e.message}`, field.name, field.model.table);
    }
    throw e;
  }
}

/**
 * Checks an id given to `get`, `update`, `delete` and bulk calls: a positive integer for the
 * database's identity (a `QueryError`, as always), else a value of the declared key's type (a
 * `ValidationError` naming `id`), so a malformed id never reaches SQL.
 *
 * @example
 * checkId(Token.meta, "not-a-uuid") // ValidationError: tokens.id must be a UUID ...
 */
export function checkId(model: ModelMeta, id: unknown): Id {
  if (!model.identity) {
    if (id === null || id === undefined)
      throw new ValidationError(`${model.table}.id must be given, got ${String(id)}`, "id", model.table);
    return validateValue(model.id, id) as Id;
  }
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) {
    throw new QueryError(`${model.table} ids are positive integers, got ${shown(id)}`, "id");
  }
  return id;
}

/**
 * An id written as text (a URL path segment, a key of `{ update: { [id]: values } }`), read with the
 * key's type and checked as {@link checkId} does.
 *
 * @example
 * idFromText(Chat.meta, "42") // 42
 */
export function idFromText(model: ModelMeta, text: string): Id {
  return checkId(model, isNumericKey(model.id.kind) && /^-?\d{1,16}$/.test(text) ? Number(text) : text);
}
