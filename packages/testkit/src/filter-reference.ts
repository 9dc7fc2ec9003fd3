/**
 * The filter semantics CONTRACT.md and the core README state, evaluated in plain JavaScript on a plain
 * record, independently of core (no parser, no AST, no `matchValues`): the random-filter property
 * compares each database with this, so a bug in core's parser shows as a difference.
 *
 * - A filter is a list of items with "and" / "or" between them; adjacent items are ANDed and AND binds
 *   tighter than OR; nested lists are groups; `["not", item]` negates; the empty list matches all.
 * - `=` / `!=` with null mean IS NULL / IS NOT NULL; ordering operators and `between` never match null;
 *   `in [..., null]` also matches null; `like` / `ilike` match a substring, `%` and `_` literally;
 *   `=like` / `=ilike` take a pattern (`%`, `_`, a backslash escaping the next character).
 * - Each negative operator (`!=`, `not in`, `not like`, `not ilike`, `not between`, `is not null`) is
 *   the exact complement of its positive one, so it matches null too.
 *
 * Covers the scalar fields of one record (numbers, booleans, ASCII text); relation paths are
 * {@link relationReference}'s job.
 *
 * @example
 * const holds = referenceFilter([["small", ">", 0], "or", ["notes", "is null"]]);
 * holds({ small: null, notes: null }); // true
 */
export function referenceFilter(filter: readonly unknown[]): (row: Readonly<Record<string, unknown>>) => boolean {
  return (row) => list(row, filter);
}

const negatives: Record<string, string> = {
  "!=": "=",
  "not in": "in",
  "not like": "like",
  "not ilike": "ilike",
  "not between": "between",
  "is not null": "is null",
};

function list(row: Readonly<Record<string, unknown>>, items: readonly unknown[]): boolean {
  if (items.length === 0) return true;
  // split on "or" into AND-groups: AND binds tighter
  const groups: unknown[][] = [[]];
  for (const it of items) {
    if (it === "or") groups.push([]);
    else if (it !== "and") groups[groups.length - 1]?.push(it);
  }
  return groups.some((group) => group.every((it) => item(row, it)));
}

function item(row: Readonly<Record<string, unknown>>, it: unknown): boolean {
  if (!Array.isArray(it)) throw new Error(`the reference does not read the item ${JSON.stringify(it)}`);
  if (it[0] === "not") return !item(row, it[1]);
  if (it.length === 0 || Array.isArray(it[0])) return list(row, it);
  const [field, op, value] = it as [string, string, unknown];
  const v = row[field] ?? null;
  const positive = negatives[op];
  return positive ? !holds(positive, value, v) : holds(op, value, v);
}

function holds(op: string, value: unknown, v: unknown): boolean {
  switch (op) {
    case "=":
      return value === null ? v === null : v !== null && v === value;
    case "is null":
      return v === null;
    case ">":
      return v !== null && (v as number) > (value as number);
    case ">=":
      return v !== null && (v as number) >= (value as number);
    case "<":
      return v !== null && (v as number) < (value as number);
    case "<=":
      return v !== null && (v as number) <= (value as number);
    case "between": {
      const [lo, hi] = value as [number, number];
      return v !== null && (v as number) >= lo && (v as number) <= hi;
    }
    case "in":
      return (value as unknown[]).some((x) => (x === null ? v === null : v !== null && x === v));
    case "like":
      return typeof v === "string" && v.includes(value as string);
    case "ilike":
      return typeof v === "string" && v.toLowerCase().includes((value as string).toLowerCase());
    case "=like":
      return typeof v === "string" && pattern(value as string, false)(v);
    case "=ilike":
      return typeof v === "string" && pattern(value as string, true)(v);
    default:
      throw new Error(`the reference does not evaluate "${op}"`);
  }
}

/**
 * A `=like` pattern as a matcher, by dynamic programming over the pattern's tokens (no regular
 * expressions): `%` any run, `_` any one character, a backslash the next character as itself (a
 * lone trailing backslash is itself).
 */
function pattern(p: string, fold: boolean): (s: string) => boolean {
  const tokens: ({ any: "run" | "one" } | { char: string })[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === "\\" && i + 1 < p.length) tokens.push({ char: p[++i] as string });
    else if (c === "%") tokens.push({ any: "run" });
    else if (c === "_") tokens.push({ any: "one" });
    else tokens.push({ char: c });
  }
  const same = (a: string, b: string) => (fold ? a.toLowerCase() === b.toLowerCase() : a === b);
  return (s) => {
    // can[j]: the tokens so far match the first j characters of s
    let can = Array.from({ length: s.length + 1 }, (_, j) => j === 0);
    for (const t of tokens) {
      const next = new Array<boolean>(s.length + 1).fill(false);
      for (let j = 0; j <= s.length; j++) {
        if ("any" in t && t.any === "run") next[j] = can[j] || (j > 0 && next[j - 1] === true);
        else if (j > 0 && can[j - 1]) next[j] = "any" in t || same(t.char, s[j - 1] as string);
      }
      can = next;
    }
    return can[s.length] === true;
  };
}
