/** Characters that make a spreadsheet read a cell as a formula (OWASP's list for CSV injection). */
const formulaStart = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * One CSV cell (RFC 4180): always quoted, quotes doubled. Text that a spreadsheet would run as a
 * formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`, so
 * it is shown, never evaluated; numbers and booleans are written as they are.
 *
 * @example
 * csvCell('=HYPERLINK("http://evil")') // -> "\"'=HYPERLINK(\"\"http://evil\"\")\""
 * csvCell(-12.5) // -> "\"-12.5\""
 */
export function csvCell(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) text = "";
  else if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") text = String(value);
  else if (value instanceof Date) text = value.toISOString();
  else if (typeof value === "string") text = formulaStart.test(value) ? `'${value}` : value;
  else {
    const json = JSON.stringify(value);
    text = formulaStart.test(json) ? `'${json}` : json;
  }
  return `"${text.replace(/"/g, '""')}"`;
}

/** A decimal read as text (`"-12.50"`): written as the number it is; anything else as {@link csvCell}. */
export function csvDecimal(value: unknown): string {
  return typeof value === "string" && /^-?\d{1,40}(\.\d{1,40})?$/.test(value) ? `"${value}"` : csvCell(value);
}

/** A CSV line of already encoded cells, ended by CRLF. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.join(",")}\r\n`;
}
