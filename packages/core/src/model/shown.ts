/** Longest text of a caller's value an error message shows. */
const maxShown = 80;

/**
 * A caller's value as an error message shows it: its JSON where it has one (a bigint as `12n`), cut
 * to 80 characters, else what it is. Never throws, whatever the value: a bigint, a cycle, a proxy
 * whose traps throw or a `toJSON` that throws are all shown, so a bad argument always gets the typed
 * error that names it, never a `TypeError` from building the message.
 *
 * @example
 * throw new QueryError(`limit must be a non-negative integer, got ${shown(limit)}`);
 */
export function shown(value: unknown): string {
  let text: string | undefined;
  try {
    text =
      typeof value === "bigint"
        ? `${value}n`
        : JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  } catch {
    text = undefined;
  }
  if (text === undefined) text = typeof value === "object" && value !== null ? "an object" : typeof value;
  return text.length > maxShown ? `${text.slice(0, maxShown - 3)}...` : text;
}
