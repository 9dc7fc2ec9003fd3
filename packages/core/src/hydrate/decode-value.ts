import { ConfigurationError } from "../errors.js";
import type { FieldMeta } from "../model/model-meta.js";

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Turns what a driver (or a JSON aggregate) returned for a field into its JavaScript value. Drivers
 * disagree (dates as strings or Dates, booleans as 0/1, JSON as text or objects), so this accepts
 * every shape they produce; adapters may pre-process before it runs.
 */
export function decodeValue(field: FieldMeta, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  // a reference to a declared key (uuid, char) reads as that key does
  if ((field.kind === "many2one" || field.kind === "one2one") && !field.target().identity)
    return decodeValue(field.target().id, raw);
  switch (field.kind) {
    case "integer":
    case "smallInteger":
    case "bigInteger":
    case "many2one":
    case "one2one": {
      const n = typeof raw === "number" ? raw : Number(raw);
      if (!Number.isSafeInteger(n)) {
        throw new ConfigurationError(
          `${field.model.table}.${field.name} holds ${String(raw)}, beyond JavaScript's safe integer range`,
        );
      }
      return n;
    }
    case "float":
      return typeof raw === "number" ? raw : Number(raw);
    case "decimal":
      return typeof raw === "string" ? raw : String(raw);
    case "uuid":
      return String(raw).toLowerCase();
    case "boolean":
      return raw === true || raw === 1 || raw === "1" || raw === "t" || raw === "true";
    case "datetime":
      if (raw instanceof Date) return raw;
      if (typeof raw === "string")
        return (
          parseUtcDateTime(raw) ??
          new Date(
            /^\d{4}-\d{2}-\d{2} \d/.test(raw) && !/[zZ]|[+-]\d{2}(:?\d{2})?$/.test(raw)
              ? `${raw.replace(" ", "T")}Z`
              : raw,
          )
        );
      return new Date(raw as string);
    case "date":
      if (raw instanceof Date)
        return `${String(raw.getUTCFullYear()).padStart(4, "0")}-${pad(raw.getUTCMonth() + 1)}-${pad(raw.getUTCDate())}`;
      return String(raw).slice(0, 10);
    case "time":
      return String(raw);
    case "json":
      return typeof raw === "string" ? JSON.parse(raw) : raw;
    case "binary":
      if (raw instanceof Uint8Array) return raw;
      if (typeof raw === "string" && raw.startsWith("\\x")) return Buffer.from(raw.slice(2), "hex");
      if (typeof raw === "string") return Buffer.from(raw, "base64");
      return raw;
    default:
      return raw;
  }
}

/** The value of the digit at `i`, or NaN. */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
}

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) n = n * 10 + digit(s, i);
  return n;
}

/**
 * Reads `YYYY-MM-DD HH:MM:SS[.fraction]` (how MySQL and ClickHouse print a DATETIME, in UTC here)
 * without the general date parser, which costs more than the rest of a row's hydration. Anything
 * else, or a value out of range, gives undefined (the caller falls back to `new Date`).
 */
export function parseUtcDateTime(s: string): Date | undefined {
  if (
    s.length < 19 ||
    s.length > 29 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 32 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  )
    return undefined;
  let ms = 0;
  if (s.length > 19) {
    if (s.charCodeAt(19) !== 46) return undefined;
    const fraction = s.slice(20, 23).padEnd(3, "0");
    ms = digits(fraction, 0, 3);
    for (let i = 23; i < s.length; i++) if (Number.isNaN(digit(s, i))) return undefined;
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (
    Number.isNaN(year + month + day + hour + minute + second + ms) ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined;
  }
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year); // Date.UTC reads years 0-99 as 1900-1999
  return date.getUTCDate() === day ? date : undefined;
}
