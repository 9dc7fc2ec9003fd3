import { DotormError, QueryError } from "../errors.js";
import type { FieldKey, FieldValue, FieldsOf, ResultOf } from "../model/types.js";
import type { ModelMeta } from "../model/model-meta.js";
import type { Id } from "../model/primary-key.js";
import { checkId } from "../model/validate.js";
import type { AggregateFn } from "./ast.js";
import type { FieldRef } from "./expressions.js";
import type { DateKeys, DatePartName } from "./filter-types.js";
import type { Lookup } from "./lookups.js";
import { shown } from "../model/shown.js";

/** `get()` on a query set matched several records. */
export class MultipleRecordsFound extends DotormError {
  override readonly code = "MULTIPLE_RECORDS";
  constructor(readonly model: string) {
    super(`${model}: get() matched more than one record; add conditions or use first()`);
  }
}

type RelKeys<F> = { [K in keyof F]: F[K] extends { target: unknown } ? K : never }[keyof F] & string;

/**
 * The value of a lookup: a plain value, a list, a record (or object) for a relation or JSON field, or
 * an `F()` over a field of this model (its name is checked here).
 */
export type LookupValue<F> =
  | FieldRef<FieldKey<F>>
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Date
  | Uint8Array
  | readonly unknown[]
  | { readonly [key: string]: unknown };

/** Keyword lookups of `filter`, `exclude` and `get`: `name__icontains`, `creator_id__name`, ... */
export type Lookups<F> = {
  [K in
    | FieldKey<F>
    | `${FieldKey<F>}__${Lookup}`
    | `${RelKeys<F>}__${string}`
    | `${DateKeys<F>}__${DatePartName}`
    | `${DateKeys<F>}__${DatePartName}__${Lookup}`]?: LookupValue<F>;
};

/** Update values of a query set: each may also be an `F()` expression over fields of the model. */
export type UpdateWithRefs<V, F> = { [K in keyof V]?: V[K] | FieldRef<FieldKey<F>> };

/** `{ alias: [field, fn] }` for `aggregate`. */
export type AggregateSpec<F> = Record<string, readonly [FieldKey<F>, AggregateFn]>;

type AggValue<Fd, Fn> = Fn extends "count" | "count_distinct"
  ? number
  : Fd extends { kind: "decimal" }
    ? string | null
    : Fn extends "min" | "max"
      ? Exclude<FieldValue<Fd>, null> | null
      : number | null;

/** The typed result of an aggregate spec. */
export type AggregateResult<F, A> = {
  [K in keyof A]: A[K] extends readonly [infer N, infer Fn]
    ? N extends keyof F
      ? AggValue<F[N], Fn>
      : Fn extends "count" | "count_distinct"
        ? number
        : number | null
    : never;
};

/** A page of keyset pagination; pass `cursor` as `after` for the next one (null on the last page). */
export interface Page<R> {
  data: R[];
  cursor: string | null;
}

/** Options of `forUpdate`: skip rows another transaction holds, or fail at once instead of waiting. */
export interface LockOptions {
  /** Leave out rows locked by another transaction (a work queue's "take the next free job"). */
  skipLocked?: boolean;
  /** Raise at once rather than wait when a row is locked. */
  noWait?: boolean;
}

/** Internal state of a query set (every method returns a new one). */
export interface QueryState {
  readonly filter: readonly unknown[];
  readonly order?: readonly string[];
  /** `reverse()` without `orderBy()`: the model's default order (or id), reversed. */
  readonly reversed?: boolean;
  readonly limit?: number;
  readonly offset?: number;
  readonly fields?: readonly string[];
  readonly nested?: Record<string, unknown>;
  readonly groupBy?: readonly string[];
  readonly having?: readonly unknown[];
  /** `none()`: matches nothing, and reads send no SQL. */
  readonly none?: boolean;
  /** `distinct()`: `values()` returns each combination once. */
  readonly distinct?: boolean;
  /** `forUpdate()`: lock the rows read. */
  readonly lock?: { readonly skipLocked: boolean; readonly noWait: boolean };
  /** `cache()`: serve the reads from the query cache (false: not even under the model's option). */
  readonly cache?: { readonly ttl: number } | false;
  /** `annotate()`: aggregates of relations per row. */
  readonly annotations?: Readonly<Record<string, unknown>>;
  /** `timeout()`: milliseconds each statement of a call may take. */
  readonly timeout?: number;
}

/** Order terms with a leading `-` flipped. */
export const flip = (terms: readonly string[]): string[] =>
  terms.map((t) => (t.startsWith("-") ? t.slice(1) : `-${t}`));

/** A record as a plain object (no prototype, no methods), deeply. */
export function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== "object" || value instanceof Date || value instanceof Uint8Array) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

/**
 * Refuses `what` on a sliced query set: a condition, an order or an aggregate after `limit()` /
 * `offset()` would silently apply to the whole table, not to the slice (as Django refuses it).
 */
export function assertUnsliced(state: QueryState, what: string): void {
  if (state.limit !== undefined || state.offset !== undefined) {
    throw new QueryError(`${what}() cannot follow limit()/offset(): call ${what}() before slicing the query set`);
  }
}

/** A record of a query set: the model's (narrowed by `only` / `nested`) plus its annotations. */
export type Row<M, O, X> = ResultOf<M, O> & X;

type ToManyKeys<F> = { [K in keyof F]: F[K] extends { kind: "one2many" | "many2many" } ? K : never }[keyof F] & string;
type SingleKeys<F> = { [K in keyof F]: F[K] extends { kind: "many2one" | "one2one" } ? K : never }[keyof F] & string;

/** A many2one path for `values()` / `orderBy()`: `author_id__name` (the first hop is checked). */
export type PathKey<F> = `${SingleKeys<F>}__${string}`;

/** `annotate()`: `{ alias: [relation, fn] }` or `[relation__field, fn]` over a one2many / many2many. */
export type AnnotationSpec<F> = Record<string, readonly [ToManyKeys<F> | `${ToManyKeys<F>}__${string}`, AggregateFn]>;

/** The values annotations add to each record: counts are numbers; other aggregates may be null (decimals as strings). */
export type AnnotationResult<A> = {
  [K in keyof A]: A[K] extends readonly [unknown, "count" | "count_distinct"] ? number : number | string | null;
};

/** A name `values()` takes: a field, a many2one path or an annotation. */
export type ValueKey<M, X> = FieldKey<FieldsOf<M>> | PathKey<FieldsOf<M>> | (keyof X & string);

/** What `orderBy` takes for a model: fields, many2one paths and annotations, each optionally with a leading `-`. */
export type OrderTerm<M, X> = FieldKey<FieldsOf<M>> | PathKey<FieldsOf<M>> | (keyof X & string) extends infer K extends
  string
  ? K | `-${K}`
  : never;

/** A literal term must be one of `Allowed`; a plain `string` (built at run time) passes to the run-time check. */
export type CheckedTerm<T, Allowed> = string extends T ? T : T extends Allowed ? T : Allowed;

/** Lookups on annotations: `n_messages__gte: 10`. */
export type AnnotationLookups<X> = {
  [K in (keyof X & string) | `${keyof X & string}__${Lookup}`]?: LookupValue<never>;
};

/** A limit or offset: a non-negative integer, checked when given. */
export function sliceSize(what: string, n: unknown): number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0)
    throw new QueryError(`${what}() takes a non-negative integer, got ${shown(n)}`);
  return n;
}

/** Ids for `inBulk`, each checked as `get` checks it (see `checkId`), deduplicated. */
export function bulkIds(model: ModelMeta, ids: unknown): Id[] {
  if (!Array.isArray(ids)) throw new QueryError(`inBulk() takes a list of ${model.table} ids`);
  return [...new Set(ids.map((id) => checkId(model, id)))];
}

/**
 * The arguments of `valuesList(...fields, { flat }?)`, checked: field names, then an optional
 * options object whose only key is `flat` (one field only).
 */
export function valuesListArgs(args: readonly unknown[]): { fields: string[]; flat: boolean } {
  const last = args[args.length - 1];
  const hasOptions = typeof last === "object" && last !== null && !Array.isArray(last);
  const options = (hasOptions ? last : {}) as Record<string, unknown>;
  const fields = (hasOptions ? args.slice(0, -1) : args) as string[];
  const bad = Object.keys(options).find((k) => k !== "flat");
  if (bad) throw new QueryError(`valuesList() has no option "${bad}"; it takes { flat: true }`, bad);
  if (options.flat !== undefined && typeof options.flat !== "boolean")
    throw new QueryError("valuesList() option flat is true or false");
  if (options.flat && fields.length !== 1)
    throw new QueryError("valuesList(field, { flat: true }) takes exactly one field");
  if (!fields.every((a) => typeof a === "string")) throw new QueryError("valuesList() takes field names");
  return { fields, flat: options.flat === true };
}
