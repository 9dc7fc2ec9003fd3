/**
 * Writes a column of values as a PostgreSQL array literal (`{1,2,NULL}`, `{"a","b \"c\""}`).
 * A bulk insert sends one such text per column; building it directly is several times cheaper
 * than pg's generic per-element serialisation, which dominated `createMany`'s client time.
 * Returns undefined for values it does not handle (bytes), leaving those to pg.
 * https://www.postgresql.org/docs/current/arrays.html#ARRAYS-IO
 */
export function arrayLiteral(values: readonly unknown[], kind: string): string | undefined {
  if (kind === "binary") return undefined;
  const parts = new Array<string>(values.length);
  // a column of stamps is usually one instant (a default "now"): formatted once
  let lastDate: Date | undefined;
  let lastText = "";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = "NULL";
    else if (typeof v === "number") parts[i] = String(v);
    else if (typeof v === "boolean") parts[i] = v ? "t" : "f";
    else if (v instanceof Date) {
      if (v !== lastDate) lastText = `"${((lastDate = v)).toISOString()}"`;
      parts[i] = lastText;
    } else if (typeof v === "string") parts[i] = quote(v);
    else return undefined;
  }
  return `{${parts.join(",")}}`;
}

function quote(s: string): string {
  return `"${s.includes('"') || s.includes("\\") ? s.replace(/["\\]/g, (c) => `\\${c}`) : s}"`;
}
