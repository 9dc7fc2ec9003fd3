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
          parseOffsetDateTime(raw) ??
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
  if (s.length < 19 || s.length > 29 || !dateTimeMarks(s, 32)) return undefined;
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

/**
 * Whether `s` has the dashes, separator and colons of `YYYY-MM-DD?HH:MM:SS` in place, `separator`
 * being the character code between date and time (32: a space, 84: `T`).
 */
function dateTimeMarks(s: string, separator: number): boolean {
  return (
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    s.charCodeAt(10) === separator &&
    s.charCodeAt(13) === 58 &&
    s.charCodeAt(16) === 58
  );
}

/** Days of each month in a common year. */
const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The two digits at `i` as a number, or -1. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/**
 * Reads `YYYY-MM-DDTHH:MM:SS[.fraction]` followed by `Z` or a `+HH:MM` / `-HH:MM` offset (how
 * PostgreSQL writes a timestamptz inside JSON) as `new Date` does, by arithmetic, without the
 * general date parser (half the cost). Anything else (no offset: local time; an hour of 24, a day
 * past the month's end, a fraction without digits) gives undefined, for `new Date`.
 */
export function parseOffsetDateTime(s: string): Date | undefined {
  const n = s.length;
  if (n < 20 || !dateTimeMarks(s, 84)) return undefined;
  let end = n; // where the fraction ends and the offset begins
  let offset = 0; // minutes east of UTC
  if (s.charCodeAt(n - 1) === 90) end = n - 1;
  else {
    const sign = s.charCodeAt(n - 6);
    if ((sign !== 43 && sign !== 45) || s.charCodeAt(n - 3) !== 58) return undefined;
    const hours = twoDigits(s, n - 5);
    const minutes = twoDigits(s, n - 2);
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined;
    offset = (sign === 43 ? 1 : -1) * (hours * 60 + minutes);
    end = n - 6;
  }
  let ms = 0;
  if (end > 19) {
    // a fraction: a dot and at least one digit, of which the first three are the milliseconds
    if (s.charCodeAt(19) !== 46 || end === 20) return undefined;
    for (let i = 20; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
    }
    ms =
      (s.charCodeAt(20) - 48) * 100 +
      (end > 21 ? (s.charCodeAt(21) - 48) * 10 : 0) +
      (end > 22 ? s.charCodeAt(22) - 48 : 0);
  } else if (end !== 19) return undefined;
  const century = twoDigits(s, 0);
  const yy = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (
    century < 0 ||
    yy < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  )
    return undefined;
  const year = century * 100 + yy;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : (monthDays[month - 1] as number))) return undefined;
  return new Date(
    daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute - offset) * 60 + second) * 1000 + ms,
  );
}
