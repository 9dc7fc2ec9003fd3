import { ConfigurationError } from "../errors.js";
import type { FieldMeta } from "./meta.js";

const term = /^(-?)([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Checks a model's default order (`model("leads", {...}, { order: ["-priority", "id"] })`) when the
 * model is defined: a list of stored field keys of the model, each optionally prefixed with `-`
 * for descending. Anything else is a {@link ConfigurationError} naming the term.
 *
 * @example
 * checkDefaultOrder("leads", ["-priority", "id"], fields);
 */
export function checkDefaultOrder(table: string, order: unknown, fields: ReadonlyMap<string, FieldMeta>): void {
  if (order === undefined) return;
  if (!Array.isArray(order) || order.length === 0) {
    throw new ConfigurationError(
      `${table}: the default order is a non-empty list of field keys, e.g. ["-priority", "id"]`,
    );
  }
  for (const item of order) {
    const m = typeof item === "string" ? term.exec(item) : null;
    if (!m)
      throw new ConfigurationError(`${table}: default order term ${JSON.stringify(item)} must be "field" or "-field"`);
    const field = fields.get(m[2] as string);
    if (!field) throw new ConfigurationError(`${table}: the default order names unknown field "${m[2]}"`);
    if (!field.stored)
      throw new ConfigurationError(`${table}: the default order names "${m[2]}", which is not a column (stored field)`);
  }
}
