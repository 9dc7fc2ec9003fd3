import type { FieldMeta } from "../model/model-meta.js";
import type { DatePart } from "../query/ast.js";

/**
 * Orders two non-null values of `field` as the databases do, from the values core converted for
 * them (`toDbValue`): numbers as numbers, decimals exactly from their digits (never as text: "9" is
 * less than "10"), datetimes as instants, times by their microseconds (12:30:00.5 is 12:30:00.50), dates
 * by their calendar day, text by code point (the byte order of UTF-8, which `utf8mb4_bin`, ClickHouse
 * and a C collation use), bytes one by one. Negative, zero or positive, as `Array.prototype.sort`
 * expects; NaN when the two cannot be ordered (JSON): only `=` and `<>` ask about those.
 *
 * @example
 * compareValues(priceField, "100000", "2"); // 1
 */
export function compareValues(field: FieldMeta, a: unknown, b: unknown): number {
  switch (field.kind) {
    case "decimal":
      return compareDecimals(String(a), String(b));
    case "datetime":
      return sign(instant(a) - instant(b));
    case "time":
      return sign(microseconds(String(a)) - microseconds(String(b)));
    case "date":
    case "char":
    case "text":
    case "selection":
      return compareCodePoints(String(a), String(b));
    case "binary":
      return compareBytes(a as Uint8Array, b as Uint8Array);
    case "json":
      return JSON.stringify(a) === JSON.stringify(b) ? 0 : Number.NaN;
    case "boolean":
      return sign(Number(a) - Number(b));
    default:
      return typeof a === "bigint" || typeof b === "bigint"
        ? sign(Number(BigInt(a as number) - BigInt(b as number)))
        : sign(Number(a) - Number(b));
  }
}

/**
 * A part of a date or datetime value in UTC, as the databases compute it for `created_at.year`
 * (`year`, `month`, `day` as integers, `date` as "YYYY-MM-DD").
 *
 * @example
 * datePartOf("year", new Date("2024-12-31T23:30:00Z")); // 2024
 */
export function datePartOf(part: DatePart, value: unknown): number | string {
  const day = value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
  if (part === "date") return day;
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return part === "year" ? y : part === "month" ? m : d;
}

const sign = (n: number): number => (n > 0 ? 1 : n < 0 ? -1 : n === 0 ? 0 : Number.NaN);

function instant(v: unknown): number {
  return v instanceof Date ? v.getTime() : new Date(v as string).getTime();
}

/** "HH:MM:SS[.ffffff]" as microseconds since midnight. */
function microseconds(time: string): number {
  const [clock = "", fraction = ""] = time.split(".");
  const [h = 0, m = 0, s = 0] = clock.split(":").map(Number);
  return ((h * 60 + m) * 60 + s) * 1_000_000 + Number(fraction.padEnd(6, "0").slice(0, 6));
}

/** Two decimal strings ("-12.5", "100000", "0.05") compared exactly, digit by digit. */
function compareDecimals(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (x.negative !== y.negative) return x.negative ? -1 : 1;
  const magnitude =
    x.int.length !== y.int.length
      ? x.int.length - y.int.length
      : compareDigits(
          x.int + x.frac,
          y.int + y.frac,
          Math.max(x.frac.length, y.frac.length),
          x.frac.length,
          y.frac.length,
        );
  return sign(x.negative ? -magnitude : magnitude);
}

function parseDecimal(s: string): { negative: boolean; int: string; frac: string } {
  const m = /^([+-])?0*(\d*)(?:\.(\d*))?$/.exec(s.trim());
  const int = m?.[2] ?? "";
  const frac = (m?.[3] ?? "").replace(/0+$/, "");
  // -0 and -0.00 are zero, which has no sign
  return { negative: m?.[1] === "-" && (int !== "" || frac !== ""), int, frac };
}

/** Integer digits of equal length followed by fractions of lengths `fa` / `fb`, padded to `width`. */
function compareDigits(a: string, b: string, width: number, fa: number, fb: number): number {
  const x = a + "0".repeat(width - fa);
  const y = b + "0".repeat(width - fb);
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return sign(d);
  }
  return sign(x.length - y.length);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++)
    if (a[i] !== b[i]) return sign((a[i] as number) - (b[i] as number));
  return sign(a.length - b.length);
}
