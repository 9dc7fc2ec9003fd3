import { ConfigurationError } from "../errors.js";

/** Checks one option's value: returns what is wrong with it ("must be ..."), or undefined when it is fine. */
export type OptionCheck = (value: unknown) => string | undefined;

const show = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (typeof value === "bigint" || typeof value === "symbol" || typeof value === "function") return typeof value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

const integerIn =
  (min: number, max: number, unit = "") =>
  (value: unknown) =>
    typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max
      ? undefined
      : `must be a whole number${unit} from ${min} to ${max === Number.MAX_SAFE_INTEGER ? "any" : max}, got ${show(value)}`;

/**
 * The checks adapters describe their options with (see {@link checkOptions}).
 *
 * @example
 * checkOptions("mysql", options, { port: option.integer(1, 65535), keepAlive: option.boolean() });
 */
export const option = {
  string: (): OptionCheck => (v) => (typeof v === "string" ? undefined : `must be a string, got ${show(v)}`),
  nonEmptyString: (): OptionCheck => (v) =>
    typeof v === "string" && v.length > 0 ? undefined : `must be a non-empty string, got ${show(v)}`,
  boolean: (): OptionCheck => (v) => (typeof v === "boolean" ? undefined : `must be true or false, got ${show(v)}`),
  integer: (min: number, max = Number.MAX_SAFE_INTEGER): OptionCheck => integerIn(min, max),
  /** A time limit: whole milliseconds, 0 turns it off. */
  ms: (): OptionCheck => (v) => integerIn(0, 2 ** 31 - 1, " of milliseconds (0 for no limit)")(v),
  oneOf:
    (values: readonly unknown[]): OptionCheck =>
    (v) =>
      values.includes(v) ? undefined : `must be one of ${values.map(show).join(", ")}, got ${show(v)}`,
  /** A plain SQL identifier: letters, digits and `_`, not starting with a digit. */
  identifier: (): OptionCheck => (v) =>
    typeof v === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) && v.length <= 63
      ? undefined
      : `must be a plain identifier (letters, digits and _, at most 63), got ${show(v)}`,
  /** A URL whose scheme is one of `protocols` (without the colon), e.g. `["postgres", "postgresql"]`. */
  url:
    (protocols: readonly string[], example: string): OptionCheck =>
    (v) => {
      const expected = `expected a URL like ${example}`;
      if (typeof v !== "string") return `must be a string, ${expected}; got ${show(v)}`;
      let url: URL;
      try {
        url = new URL(v);
      } catch {
        return `${show(v)} is not a URL; ${expected}`;
      }
      const scheme = url.protocol.slice(0, -1);
      if (!protocols.includes(scheme))
        return `${show(v)} has the scheme "${scheme}:", expected ${protocols.map((p) => `${p}://`).join(" or ")} (${example})`;
      if (!url.hostname && scheme.startsWith("http")) return `${show(v)} names no host; ${expected}`;
      if (url.port && !(Number(url.port) >= 1 && Number(url.port) <= 65535))
        return `${show(v)} has port ${url.port}, expected 1 to 65535`;
      return undefined;
    },
  /** A plain object (its entries are the caller's to check). */
  record: (): OptionCheck => (v) =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? undefined : `must be an object, got ${show(v)}`,
  /** Accepts what any of `checks` accepts; the message of the last one otherwise. */
  either:
    (...checks: OptionCheck[]): OptionCheck =>
    (v) => {
      let problem: string | undefined;
      for (const check of checks) {
        problem = check(v);
        if (problem === undefined) return undefined;
      }
      return problem;
    },
};

/** Edit distance (insert, delete, replace, swap of neighbours), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[x.length]![y.length]!;
}

/**
 * The known name closest to `name`, when it is close enough to be a typo (or differs only in a
 * suffix such as `Millis`).
 *
 * @example
 * closestName("maxx", ["max", "url"]) // "max"
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const dist = distance(name, k);
    if (dist < bestDistance) [best, bestDistance] = [k, dist];
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(Math.min(name.length, best.length) / 3)))
    return best;
  const lower = name.toLowerCase();
  return known.find(
    (k) =>
      k.length >= 4 && lower.length >= 4 && (lower.startsWith(k.toLowerCase()) || k.toLowerCase().startsWith(lower)),
  );
}

/**
 * Checks an adapter's options against `spec` in one place, before anything is opened: an unknown
 * key (with the nearest known one as "did you mean"), a value of the wrong type or out of range,
 * each raises a `ConfigurationError` naming the function, the option and what is wrong. Undefined
 * values count as absent.
 *
 * @example
 * checkOptions("postgres", { url: "not a url" }, { url: option.url(["postgres"], "postgres://user@host:5432/db") });
 * // ConfigurationError: postgres({ url }): "not a url" is not a URL; expected a URL like postgres://user@host:5432/db
 */
export function checkOptions(fn: string, options: unknown, spec: Readonly<Record<string, OptionCheck>>): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ConfigurationError(`${fn}() takes an options object, got ${show(options)}`);
  }
  const known = Object.keys(spec);
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(spec, key)) {
      const near = closestName(key, known);
      throw new ConfigurationError(
        `${fn}({ ${key} }): unknown option${near ? `; did you mean ${near}?` : ""} (${fn}() takes ${known.join(", ")})`,
      );
    }
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const problem = spec[key]!(value);
    if (problem !== undefined) throw new ConfigurationError(`${fn}({ ${key} }): ${problem}`);
  }
}
