import type { Field, FieldMap, IdOf, KeyOf } from "./field.js";
import type { FieldRef } from "./field-ref.js";

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
  | "not between"
  | "any"
  | "not any";

/** All operators, for runtime checks. */
export const operators: ReadonlySet<string> = new Set<Operator>([
  "=",
  "!=",
  ">",
  ">=",
  "<",
  "<=",
  "in",
  "not in",
  "like",
  "ilike",
  "not like",
  "not ilike",
  "=like",
  "=ilike",
  "is null",
  "is not null",
  "between",
  "not between",
  "any",
  "not any",
]);

type RelKeys<F> = {
  [K in keyof F]: F[K] extends Field<unknown, "many2one" | "one2many" | "many2many" | "one2one", boolean, boolean>
    ? K
    : never;
}[keyof F] &
  string;

/** Keys of the date and datetime fields of `F` (they expose date parts to filters). */
export type DateKeys<F> = {
  [K in keyof F]: F[K] extends Field<unknown, "date" | "datetime", boolean, boolean> ? K : never;
}[keyof F] &
  string;

/** Date parts a filter may compare: `["created_at.year", "=", 2024]`, `created_at__month__in: [1, 2]` (UTC). */
export type DatePartName = "year" | "month" | "day" | "date";

/** The field map a relation field points at (any name for a target typed only as `AnyModel`). */
type TargetFields<Fd> = Fd extends { target: () => infer M }
  ? M extends { readonly fields: infer T extends FieldMap }
    ? T
    : FieldMap
  : FieldMap;

/** Depth counter for {@link FilterPath}: past three hops a path is no longer checked name by name. */
type Hop = [never, 0, 1, 2];

/**
 * A field key, `id`, or a dotted path through relations (`"creator_id.name"`,
 * `"messages.author_user_id.login"`), every segment checked against the model it reaches.
 */
export type FilterPath<F, D extends number = 3> =
  | (keyof F & string)
  | "id"
  | `${DateKeys<F>}.${DatePartName}`
  | ([D] extends [never]
      ? `${RelKeys<F>}.${string}`
      : { [K in RelKeys<F>]: `${K}.${FilterPath<TargetFields<F[K]>, Hop[D]>}` }[RelKeys<F>]);

/** Operators that compare with one value. */
export type ValueOperator = "=" | "!=" | ">" | ">=" | "<" | "<=";
/** Operators that match text. */
export type LikeOperator = "like" | "ilike" | "not like" | "not ilike" | "=like" | "=ilike";

/**
 * One condition: `[field, operator, value]`, the value shaped by the operator (a list for `in`, a
 * pair for `between`, a string for the `like` family, none needed for `is null`).
 */
export type Condition<F> = 0 extends 1 & F ? UntypedCondition : TypedCondition<F>;

/** `Filter<any>`: the model is not known (access rules, whose values may be templates), so only the operator is checked. */
type UntypedCondition = readonly [string, Operator, unknown?];

/**
 * The value a condition on field `Fd` compares with: the field's own type, what writes also accept
 * for it (a decimal as a number, an instant as text or epoch milliseconds, a day as a Date, a record
 * for a many2one), a related id for a one2many / many2many, or an {@link F} expression.
 */
type CondValue<F, Fd> =
  | FieldRef<FieldKeyOf<F>>
  | (Fd extends Field<infer T, infer K, boolean, boolean>
      ? K extends "one2many" | "many2many" | "one2one"
        ? IdOf<TargetOf<Fd>>
        : K extends "many2one"
          ? IdOf<TargetOf<Fd>> | { readonly id: IdOf<TargetOf<Fd>> }
          : K extends "json"
            ? unknown
            : K extends "decimal"
              ? T | number
              : K extends "datetime"
                ? T | string | number
                : K extends "date"
                  ? T | Date
                  : T
      : unknown);

type TargetOf<Fd> = Fd extends { target: () => infer M } ? M : never;

type FieldKeyOf<F> = (keyof F & string) | "id";

/** Conditions on one field of the model itself: the value is checked against the field's type. */
type FieldCondition<F, K extends string, V> =
  | readonly [K, "=" | "!=", V | null]
  | readonly [K, ">" | ">=" | "<" | "<=", V]
  | readonly [K, "in" | "not in", readonly (V | null)[]]
  | readonly [K, "between" | "not between", readonly [V, V]]
  | readonly [K, LikeOperator, string]
  | readonly [K, "is null" | "is not null", unknown?]
  /** Some related record (none, for `not any`) matches the filter, written on the related model. */
  | readonly [K, "any" | "not any", readonly unknown[]];

type TypedCondition<F> =
  | { [K in keyof F & string]: FieldCondition<F, K, CondValue<F, F[K]>> }[keyof F & string]
  | FieldCondition<F, "id", KeyOf<F> | FieldRef<FieldKeyOf<F>>>
  /** Dotted paths: every segment is checked; the value is checked when the query runs. */
  | FieldCondition<F, Exclude<FilterPath<F>, keyof F | "id">, unknown>;

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
