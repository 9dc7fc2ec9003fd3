/**
 * Quotes a ClickHouse identifier (backticks, backslash and backtick escaped): the one rule the
 * statement compiler, the DDL compiler and the nested-JSON host share.
 *
 * @example
 * quoteClickHouse("events") // "`events`"
 */
export function quoteClickHouse(name: string): string {
  return `\`${name.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``;
}
