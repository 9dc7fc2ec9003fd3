import type { CompileContext, FieldMeta } from "@dotorm/core";

/**
 * ClickHouse types of DotORM fields, shared by the DDL (column types) and the renderer (typed
 * parameters `{p0:Type}`), so a value is always bound with the type of its column.
 * https://clickhouse.com/docs/sql-reference/data-types
 */
export function baseType(field: FieldMeta): string {
  const o = field.def.options as Record<string, unknown>;
  // a reference to a declared key (uuid, char) has the key's type
  if ((field.kind === "many2one" || field.kind === "one2one") && !field.target().identity)
    return baseType(field.target().id);
  switch (field.kind) {
    case "uuid":
      return "UUID";
    case "integer":
      return "Int32";
    case "smallInteger":
      return "Int16";
    case "bigInteger":
    case "many2one":
    case "one2one":
      return "Int64";
    case "char":
    case "text":
    case "binary":
      return "String";
    // JSON fields hold any JSON value (arrays and scalars too), which ClickHouse's JSON type refuses:
    // it stores objects only. The text is kept in a String column instead (query it with JSONExtract*).
    case "json":
      return "String";
    case "selection":
      return "LowCardinality(String)";
    case "boolean":
      return "Bool";
    case "datetime":
      return "DateTime64(3, 'UTC')";
    // Date32 rather than Date: Date stops at 2149 and starts at 1970, Date32 covers 1900-2299.
    case "date":
      return "Date32";
    case "time":
      return "Time64(6)";
    case "float":
      return "Float64";
    case "decimal":
      return `Decimal(${o.precision ?? 18}, ${o.scale ?? 2})`;
    default:
      return "Int64";
  }
}

/** The column type, `Nullable(...)` unless the field is required (LowCardinality wraps Nullable). */
export function columnType(field: FieldMeta): string {
  const type = baseType(field);
  if (field.required || field.name === "id") return type;
  if (type === "LowCardinality(String)") return "LowCardinality(Nullable(String))";
  return `Nullable(${type})`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** A Date as ClickHouse's DateTime64 text in UTC (`2024-01-02 03:04:05.678`), accepted by params and JSONEachRow. */
export function formatDateTime(d: Date): string {
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

/** The type of a parameter bound without a field (ids, limits, raw SQL values), from its JS value. */
export function inferType(value: unknown): string {
  if (value === null || value === undefined) return "Nullable(String)";
  if (typeof value === "number") return Number.isInteger(value) ? "Int64" : "Float64";
  if (typeof value === "bigint") return "Int64";
  if (typeof value === "boolean") return "Bool";
  if (value instanceof Date) return "DateTime64(3, 'UTC')";
  if (Array.isArray(value)) {
    const first = value.find((v) => v !== null && v !== undefined);
    const inner = first === undefined ? "String" : inferType(first);
    const floats = inner === "Int64" && value.some((v) => typeof v === "number" && !Number.isInteger(v));
    return `Array(${floats ? "Float64" : value.some((v) => v === null) ? `Nullable(${inner})` : inner})`;
  }
  return "String";
}

/** Binds `value` as the ClickHouse parameter `{pN:type}` of the statement being compiled. */
export function typedParam(ctx: CompileContext, value: unknown, type: string): string {
  ctx.params.push(value);
  return `{p${ctx.params.length - 1}:${type}}`;
}
