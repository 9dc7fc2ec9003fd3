import { type FieldMeta, ValidationError } from "@dotorm/core";

/**
 * Years ClickHouse's DateTime64 and Date32 hold; it would clamp anything else silently. The one
 * statement of the rule: the adapter's `yearRange` capability (which core checks writes against),
 * filter parameters and the TSV writer all read it from here.
 */
export const YEAR_RANGE = [1900, 2299] as const;

/** Refuses `year` outside {@link YEAR_RANGE} with a ValidationError naming the field. */
export function checkYear(year: number, field?: FieldMeta, what = "a date"): void {
  if (year >= YEAR_RANGE[0] && year <= YEAR_RANGE[1]) return;
  const name = field ? `${field.model.table}.${field.name}` : what;
  throw new ValidationError(
    `${name}: ClickHouse dates hold years ${YEAR_RANGE[0]} to ${YEAR_RANGE[1]}, got ${year}`,
    field?.name,
    field?.model.table,
  );
}
