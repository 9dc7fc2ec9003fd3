import { ConfigurationError, type FieldMeta, type ModelMeta } from "@dotorm/core";

/** InnoDB's index key limit (DYNAMIC rows) and bytes per utf8mb4 character. */
const maxKeyBytes = 3072;
const bytesPerChar = 4;
/** All VARCHAR columns of a row share 65,535 bytes (TEXT, JSON and BLOB are stored off-row). */
const maxRowBytes = 65_535;
const maxIdentifier = 64;

/** Bytes a column takes in an index key, or undefined when it cannot be indexed whole. */
function keyBytes(field: FieldMeta): number | undefined {
  const o = field.def.options as Record<string, unknown>;
  switch (field.kind) {
    case "text":
    case "json":
    case "binary":
      return undefined;
    case "uuid":
      return 36;
    case "char":
      return ((o.maxLength as number | undefined) ?? 255) * bytesPerChar;
    case "selection":
      return Math.max(64, ...(o.options as [string, string][]).map(([v]) => v.length)) * bytesPerChar;
    default:
      return 8;
  }
}

function refuseIndex(model: ModelMeta, fields: readonly FieldMeta[], what: string): void {
  const name = fields.map((f) => f.name).join(", ");
  const unindexable = fields.find((f) => keyBytes(f) === undefined);
  if (unindexable) {
    throw new ConfigurationError(
      `${model.table}.${unindexable.name} is a ${unindexable.kind} field and MySQL cannot ${what} a ${unindexable.kind} column ` +
        `(no prefix-free index on TEXT, JSON or BLOB): use f.char({ maxLength: n }) with n <= ${maxKeyBytes / bytesPerChar}, or drop the ${what}`,
    );
  }
  const bytes = fields.reduce((sum, f) => sum + (keyBytes(f) ?? 0), 0);
  if (bytes > maxKeyBytes) {
    throw new ConfigurationError(
      `${model.table} (${name}): an index key of ${bytes} bytes exceeds MySQL's ${maxKeyBytes}-byte limit (utf8mb4 counts 4 bytes per character); ` +
        `lower maxLength to at most ${maxKeyBytes / bytesPerChar} characters in total, or drop the ${what}`,
    );
  }
}

/**
 * Refuses at `sync`, before any DDL is sent, what MySQL and MariaDB cannot create: a unique or
 * indexed `text`/`json`/`binary` field, index keys over 3,072 bytes, VARCHARs past the 65,535-byte
 * row, decimals past DECIMAL(65, 30), identifiers longer than 64 characters.
 *
 * @example
 * checkMysqlModel(model("notes", { body: f.text({ unique: true }) }).meta) // throws ConfigurationError naming notes.body
 */
export function checkMysqlModel(model: ModelMeta): void {
  if (model.table.length > maxIdentifier) {
    throw new ConfigurationError(
      `table name "${model.table}" is longer than MySQL's ${maxIdentifier} characters: shorten it`,
    );
  }
  let rowBytes = 0;
  for (const field of model.columns) {
    const o = field.def.options as Record<string, unknown>;
    if (field.column.length > maxIdentifier) {
      throw new ConfigurationError(
        `${model.table}.${field.name}: column name "${field.column}" is longer than MySQL's ${maxIdentifier} characters; set a shorter { column }`,
      );
    }
    if (o.unique === true) refuseIndex(model, [field], "make unique");
    else if (o.index === true) refuseIndex(model, [field], "index");
    if (field.kind === "char" || field.kind === "selection") rowBytes += keyBytes(field) ?? 0;
    if (field.kind === "char" && ((o.maxLength as number | undefined) ?? 255) > maxRowBytes / bytesPerChar) {
      throw new ConfigurationError(
        `${model.table}.${field.name}: maxLength ${String(o.maxLength)} is beyond MySQL's VARCHAR limit for utf8mb4 (${Math.floor(maxRowBytes / bytesPerChar)}); use f.text()`,
      );
    }
    if (field.kind === "decimal") {
      const precision = (o.precision as number | undefined) ?? 18;
      const scale = (o.scale as number | undefined) ?? 2;
      if (precision > 65 || scale > 30 || scale > precision) {
        throw new ConfigurationError(
          `${model.table}.${field.name}: DECIMAL(${precision}, ${scale}) is out of MySQL's range (precision <= 65, scale <= 30 and <= precision); adjust { precision, scale }`,
        );
      }
    }
  }
  if (rowBytes > maxRowBytes) {
    throw new ConfigurationError(
      `${model.table}: its char and selection columns take up to ${rowBytes} bytes, beyond MySQL's ${maxRowBytes}-byte row limit; use f.text() for the long ones`,
    );
  }
  for (const group of model.options.indexes ?? []) {
    const fields = group.map((key) => model.fields.get(key)).filter((f): f is FieldMeta => f !== undefined);
    refuseIndex(model, fields, "index");
  }
}
