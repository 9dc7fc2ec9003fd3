import type { Field } from "../model/field.js";

/** Filter operators. */
export type Operator =
  | "="
  | "!="
  | ">"
  | ">="
  | "<"
  | "<="
  | "in"
  | "not in"
  | "like"
  | "ilike"
  | "not like"
  | "not ilike"
  | "=like"
  | "=ilike"
  | "is null"
  | "is not null"
  | "between"
  | "not between";

/** All operators, for runtime checks. */
export const operators: ReadonlySet<string> = new Set<Operator>([
  "=", "!=", ">", ">=", "<", "<=", "in", "not in", "like", "ilike", "not like", "not ilike",
  "=like", "=ilike", "is null", "is not null", "between", "not between",
]);

type RelKeys<F> = {
  [K in keyof F]: F[K] extends Field<unknown, "many2one" | "one2many" | "many2many" | "one2one", boolean, boolean> ? K : never;
}[keyof F] & string;

/** A field key, `id`, or a dotted path through a relation (`"creator_id.name"`). */
export type FilterPath<F> = (keyof F & string) | "id" | `${RelKeys<F>}.${string}`;

/** One condition: `[field, operator, value]` (the value may be left out for `is null` / `is not null`). */
export type Condition<F> = readonly [FilterPath<F>, Operator, unknown?];

/** An item of a filter list. */
export type FilterItem<F> = Condition<F> | "and" | "or" | readonly ["not", FilterItem<F>] | Filter<F>;

/**
 * A filter: conditions, `"and"` / `"or"` between them (adjacent items are ANDed; AND binds tighter
 * than OR), nested lists as groups, `["not", item]`.
 *
 * @example
 * const filter: Filter<typeof Chat.fields> = [["is_archived", "=", false], "or", ["creator_id.name", "ilike", "ann"]];
 */
export type Filter<F> = readonly FilterItem<F>[];
