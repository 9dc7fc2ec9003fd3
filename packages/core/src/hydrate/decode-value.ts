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
  switch (field.kind) {
    case "integer":
    case "smallInteger":
    case "bigInteger":
    case "many2one":
    case "one2one": {
      const n = typeof raw === "number" ? raw : Number(raw);
      if (!Number.isSafeInteger(n)) {
        throw new ConfigurationError(`${field.model.table}.${field.name} holds ${String(raw)}, beyond JavaScript's safe integer range`);
      }
      return n;
    }
    case "float":
      return typeof raw === "number" ? raw : Number(raw);
    case "decimal":
      return typeof raw === "string" ? raw : String(raw);
    case "boolean":
      return raw === true || raw === 1 || raw === "1" || raw === "t" || raw === "true";
    case "datetime":
      return raw instanceof Date ? raw : new Date(typeof raw === "string" && /^\d{4}-\d{2}-\d{2} \d/.test(raw) && !/[zZ]|[+-]\d{2}(:?\d{2})?$/.test(raw) ? `${raw.replace(" ", "T")}Z` : (raw as string));
    case "date":
      if (raw instanceof Date) return `${String(raw.getUTCFullYear()).padStart(4, "0")}-${pad(raw.getUTCMonth() + 1)}-${pad(raw.getUTCDate())}`;
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
