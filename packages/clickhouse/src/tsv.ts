import type { FieldMeta } from "@dotorm/core";
import { YEAR_RANGE, checkYear } from "./year-range.js";

/**
 * Bulk rows as TabSeparated text, written straight from the validated row arrays: no per-row object
 * or array, no per-row JSON string. Each column gets its writer once per batch; a batch is produced
 * in chunks of about a megabyte, so over HTTP it streams and only a chunk is ever held.
 * https://clickhouse.com/docs/interfaces/formats/TabSeparated
 */

const SPECIAL = /[\\\t\n\r\b\f\0]/;
const SPECIALS = /[\\\t\n\r\b\f\0]/g;
const ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
  "\b": "\\b",
  "\f": "\\f",
  "\0": "\\0",
};

/** A string as a TabSeparated field (backslash escapes). */
export function tsvString(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIALS, (c) => ESCAPES[c] as string) : s;
}

const MIN_MS = Date.UTC(YEAR_RANGE[0], 0, 1);
const MAX_MS = Date.UTC(YEAR_RANGE[1] + 1, 0, 1);

/**
 * Refuses dates outside {@link YEAR_RANGE} before anything is sent (the text is written lazily, while the
 * request streams, when it is too late to refuse a row).
 */
export function checkDateRanges(
  fields: readonly (FieldMeta | undefined)[],
  rows: readonly (readonly unknown[])[],
): void {
  fields.forEach((field, i) => {
    if (field?.kind === "datetime") {
      for (const row of rows) {
        const v = row[i];
        if (v instanceof Date) {
          const ms = v.getTime();
          if (!(ms >= MIN_MS && ms < MAX_MS)) checkYear(v.getUTCFullYear(), field);
        }
      }
    } else if (field?.kind === "date") {
      for (const row of rows) {
        const v = row[i];
        const year = v instanceof Date ? v.getUTCFullYear() : typeof v === "string" ? Number(v.slice(0, 4)) : 2000;
        checkYear(year, field);
      }
    }
  });
}

type Writer = (v: unknown) => string;

/** How one column's validated value becomes TabSeparated text (`\N` for NULL is handled by the caller). */
function writer(field: FieldMeta | undefined): Writer {
  switch (field?.kind) {
    case "char":
    case "text":
    case "selection":
      return (v) => tsvString(v as string);
    case "json":
      return (v) => tsvString(JSON.stringify(v));
    // ISO 8601 from the engine's own formatter: ClickHouse's default (basic) parser reads the T and Z.
    case "datetime":
      return (v) => (v as Date).toISOString();
    case "date":
      return (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : (v as string));
    case "boolean":
      return (v) => (v ? "true" : "false");
    // numbers print as JS prints them (shortest round trip, 1e+308 included); decimals and times are validated text
    default:
      return (v) => (typeof v === "string" ? tsvString(v) : String(v));
  }
}

/** The rows as TabSeparated text, in chunks of about `chunkChars` characters. */
export function* tsvChunks(
  fields: readonly (FieldMeta | undefined)[],
  rows: readonly (readonly unknown[])[],
  chunkChars = 1 << 20,
): Generator<string> {
  const writers = fields.map(writer);
  const n = writers.length;
  let out = "";
  for (const row of rows) {
    for (let i = 0; i < n; i++) {
      const v = row[i];
      out += v === null || v === undefined ? "\\N" : (writers[i] as Writer)(v);
      out += i === n - 1 ? "\n" : "\t";
    }
    if (out.length >= chunkChars) {
      yield out;
      out = "";
    }
  }
  if (out.length > 0) yield out;
}
