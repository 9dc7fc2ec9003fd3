import type { Field, FieldKind, FieldMap, IdOf, KeyOf } from "./field.js";
import type { Filter } from "./filter-types.js";

/** Flattens an intersection for readable hovers. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** A model class as seen by the type system: its `fields` static carries the field map. */
export interface ModelType<F extends FieldMap = FieldMap> {
  readonly fields: F;
  new (...args: never[]): object;
}

/** The field map of a model class. */
export type FieldsOf<M> = M extends { readonly fields: infer F extends FieldMap } ? F : FieldMap;

/** The JS value of a field in a record. */
export type FieldValue<Fd> =
  Fd extends Field<unknown, "one2many" | "many2many", boolean, boolean>
    ? IdOf<TargetOf<Fd>>[]
    : Fd extends Field<unknown, "many2one" | "one2one", infer R, boolean>
      ? R extends true
        ? IdOf<TargetOf<Fd>>
        : IdOf<TargetOf<Fd>> | null
      : Fd extends Field<infer T, infer _K, true, boolean>
        ? T
        : Fd extends Field<infer T, infer _K, boolean, boolean>
          ? T | null
          : never;

type RelKind = "many2one" | "one2many" | "many2many" | "one2one";

/** Keys of the relation fields of `F`. */
export type RelationKeys<F> = {
  [K in keyof F]: F[K] extends Field<unknown, RelKind, boolean, boolean> ? K : never;
}[keyof F] &
  string;

/** Keys returned when no `fields` are given: every field but one2many, many2many and one2one. */
export type DefaultKeys<F> = {
  [K in keyof F]: F[K] extends Field<unknown, "one2many" | "many2many" | "one2one", boolean, boolean> ? never : K;
}[keyof F] &
  string;

/** A field key of `F`, or `"id"`. */
export type FieldKey<F> = (keyof F & string) | "id";

export type { IdOf, KeyOf } from "./field.js";

/** The target model of a relation field. */
export type TargetOf<Fd> = Fd extends { target: () => infer M } ? M : never;

/** The full record type of a model: `Infer<typeof Chat>`. */
export type Infer<M> = Simplify<
  { id: KeyOf<FieldsOf<M>> } & { [K in Exclude<keyof FieldsOf<M>, "id">]: FieldValue<FieldsOf<M>[K]> }
>;

/** The options object form of a nested relation. */
export interface NestedObject<M> {
  /** Field names, and deeper nested maps inline as in the list form (`["body", { author_id: ["name"] }]`). */
  fields?: readonly (FieldKey<FieldsOf<M>> | (NestedSpec<FieldsOf<M>> & object))[];
  nested?: NestedSpec<FieldsOf<M>>;
  filter?: Filter<FieldsOf<M>>;
  order?: string;
  sort?: "asc" | "desc";
  /** Children per parent record (one2many / many2many). */
  limit?: number;
  /** Children skipped per parent record before `limit` (one2many / many2many). */
  offset?: number;
}

/** What may be loaded from a relation: a list of its fields (and deeper nested maps), or the object form. */
export type NestedArg<M> = [M] extends [ModelType]
  ? // `& object`: the map of a target without relations is `{}`, which would take any string (a misspelt name)
    readonly (FieldKey<FieldsOf<M>> | (NestedSpec<FieldsOf<M>> & object))[] | NestedObject<M>
  : readonly (string | Record<string, unknown>)[] | Record<string, unknown>;

/** `nested`: relation field -> what to load from it. */
export type NestedSpec<F> = { readonly [K in RelationKeys<F>]?: NestedArg<TargetOf<F[K]>> };

/** The names a nested spec lists: the object form's `fields`, or the strings of the list form. */
type KeysOfSpec<S> = S extends { fields: readonly (infer K)[] }
  ? Extract<K, string>
  : S extends readonly (infer I)[]
    ? Extract<I, string>
    : never;
type NestedOfSpec<S> = S extends { fields: readonly (infer I)[] }
  ? (S extends { nested: infer N } ? N : {}) & UnionToIntersection<Exclude<I, string>>
  : S extends { nested: infer N }
    ? N
    : S extends readonly (infer I)[]
      ? UnionToIntersection<Exclude<I, string>>
      : {};
/**
 * Whether a nested spec names its fields. A list without any name (`[]`, `[{ author_id: [...] }]`)
 * loads the default fields, as the object form without `fields` does; `{ fields: [] }` means id only.
 */
type HasFieldList<S> = S extends { fields: readonly unknown[] }
  ? true
  : S extends readonly unknown[]
    ? [Extract<S[number], string>] extends [never]
      ? false
      : true
    : false;

/** A record of model `M` narrowed to the selected keys and nested relations. */
export type Row<M, Keys, N> = [M] extends [ModelType]
  ? Simplify<
      { id: KeyOf<FieldsOf<M>> } & Omit<InstanceType<M>, keyof FieldsOf<M>> & {
          [K in Exclude<Keys & keyof FieldsOf<M>, keyof N | "id">]: FieldValue<FieldsOf<M>[K]>;
        } & { [K in keyof N & keyof FieldsOf<M>]: NestedValue<FieldsOf<M>[K], N[K]> }
    >
  : { id: number } & Record<string, unknown>;

/** The value of a nested relation: an object (or null) for many2one/one2one, an array for x2many. */
export type NestedValue<Fd, S> =
  Fd extends Field<unknown, infer K, infer R, boolean>
    ? K extends "one2many" | "many2many"
      ? NestedRow<TargetOf<Fd>, S>[]
      : K extends "one2one"
        ? NestedRow<TargetOf<Fd>, S> | null
        : R extends true
          ? NestedRow<TargetOf<Fd>, S>
          : NestedRow<TargetOf<Fd>, S> | null
    : never;

type NestedRow<M, S> = Row<M, HasFieldList<S> extends true ? KeysOfSpec<S> : DefaultKeys<FieldsOf<M>>, NestedOfSpec<S>>;

/** Options shared by reads that return records. */
export interface ReadOptions<F> {
  fields?: readonly FieldKey<F>[];
  nested?: NestedSpec<F>;
  /** `false` keeps this read on the primary when the adapter has read replicas (read-your-writes). */
  replica?: boolean;
  /** Milliseconds every statement of the call must answer within (else `ConnectionError`), as `db.withTimeout`. */
  timeout?: number;
}

/** Options of `search`. */
export interface SearchOptions<F> extends ReadOptions<F> {
  filter?: Filter<F>;
  /** A field, or several with directions: `"name desc, id"`. */
  order?: string;
  sort?: "asc" | "desc";
  limit?: number;
  offset?: number;
}

/** The record a read with options `O` returns. */
export type ResultOf<M, O> = Row<
  M,
  O extends { fields: readonly (infer K)[] } ? K : DefaultKeys<FieldsOf<M>>,
  O extends { nested: infer N } ? N : {}
>;

/** Maps every key of `T` outside `Allowed` to `never`, so a misspelt key is reported where it is written. */
type NoExtraKeys<T, Allowed> = { [K in Exclude<keyof T, Allowed>]: never };

/** Keys a nested object form accepts: ordering and paging only make sense for x2many. */
type NestedObjectKeys<Fd> =
  Fd extends Field<unknown, "one2many" | "many2many", boolean, boolean>
    ? keyof NestedObject<unknown>
    : "fields" | "nested" | "filter";

/** Checks one nested spec against relation field `Fd`: deeper maps and object forms name only what exists. */
type CheckNestedArg<Fd, S> = [TargetOf<Fd>] extends [ModelType]
  ? S extends readonly unknown[]
    ? { readonly [I in keyof S]: S[I] extends string ? unknown : CheckNested<FieldsOf<TargetOf<Fd>>, S[I]> }
    : NoExtraKeys<S, NestedObjectKeys<Fd>> &
        (S extends { nested: infer N } ? { nested: CheckNested<FieldsOf<TargetOf<Fd>>, N> } : unknown) &
        CheckOrder<FieldsOf<TargetOf<Fd>>, S>
  : unknown;

type Trim<S extends string> = S extends ` ${infer R}` ? Trim<R> : S extends `${infer R} ` ? Trim<R> : S;
type Direction = "asc" | "desc" | "ASC" | "DESC";
type SingleRelationKeys<F> = {
  [K in keyof F]: F[K] extends Field<unknown, "many2one" | "one2one", boolean, boolean> ? K : never;
}[keyof F] &
  string;
/** Fields a read can be ordered by: stored columns (and `id`), and dotted many2one paths (the first hop is checked). */
type OrderKey<F> = DefaultKeys<F> | "id" | `${SingleRelationKeys<F>}.${string}`;
type OrderTermOk<F, T extends string> =
  Trim<T> extends `${infer K} ${infer D}`
    ? K extends OrderKey<F>
      ? Trim<D> extends Direction
        ? true
        : false
      : false
    : Trim<T> extends OrderKey<F>
      ? true
      : false;
type OrderOk<F, S extends string> = S extends `${infer A},${infer B}`
  ? OrderTermOk<F, A> extends true
    ? OrderOk<F, B>
    : false
  : OrderTermOk<F, S>;

/**
 * Checks a literal `order` ("name desc, id"): each term a field of the model with an optional
 * direction. An `order` typed only as `string` (built at run time) is checked when the query runs.
 */
type CheckOrder<F, O> = O extends { order: infer S extends string }
  ? string extends S
    ? unknown
    : OrderOk<F, S> extends true
      ? unknown
      : { order: `order "${S}": write "<field> [asc|desc]" terms, separated by commas, naming fields of this model` }
  : unknown;

/**
 * The exactness check of a `nested` map: object literal types passed through a generic are not
 * checked for excess keys, so a misspelt relation (at any depth) would otherwise go unnoticed.
 */
export type CheckNested<F, N> = NoExtraKeys<N, RelationKeys<F>> & {
  [K in keyof N & RelationKeys<F>]: CheckNestedArg<F[K], N[K]>;
};

/**
 * The exactness check of read options `O` (used as `options: O & CheckRead<F, O, keyof ReadOptions<F>>`):
 * unknown option names, unknown relations in `nested` and unknown fields in a literal `order` become
 * compile errors at the key.
 */
export type CheckRead<F, O, Allowed extends PropertyKey> = O extends unknown
  ? // one deferred conditional (not a bare intersection), so declarations print it by name, not spelt out
    NoExtraKeys<O, Allowed> &
      (O extends { nested: infer N } ? { nested: CheckNested<F, N> } : unknown) &
      CheckOrder<F, O>
  : never;

/** Commands accepted by one2many and many2many fields on write; `I` is the related model's id type. */
export interface X2manyCommands<V = Record<string, unknown>, I extends number | string = number> {
  create?: readonly V[];
  update?: Readonly<Record<I, V>>;
  delete?: readonly I[];
  link?: readonly I[];
  unlink?: readonly I[];
  set?: readonly I[];
}

/** What writes accept beyond the read type, where the runtime converts (see `toDbValue`). */
interface WriteExtra {
  many2one: { id: number | string };
  decimal: number;
  datetime: string | number;
  date: Date;
}

/** The value a write accepts for a field; required fields refuse `null`. */
type WriteValue<Fd> =
  Fd extends Field<unknown, "one2many" | "many2many", boolean, boolean>
    ? readonly KeyIds<Fd>[] | X2manyCommands<Record<string, unknown>, KeyIds<Fd>>
    : Fd extends Field<unknown, "many2one", infer R, boolean>
      ? NullUnless<R, IdOf<TargetOf<Fd>> | { id: IdOf<TargetOf<Fd>> }>
      : Fd extends Field<infer T, infer K, infer R, boolean>
        ? NullUnless<R, T | (K extends keyof WriteExtra ? WriteExtra[K] : never)>
        : never;

type NullUnless<R, T> = R extends true ? T : T | null;

/** The id type of a relation's target, as commands take it. */
type KeyIds<Fd> = IdOf<TargetOf<Fd>> extends infer I extends number | string ? I : number;

/** Keys of `F` a write accepts: computed fields never, `readonly` ones on create only. */
type KeysWritable<F, On extends "create" | "update"> = {
  [K in keyof F]: F[K] extends Field<
    unknown,
    FieldKind,
    boolean,
    boolean,
    On extends "create" ? "never" : "never" | "on-create"
  >
    ? never
    : K;
}[keyof F];

type RequiredOnCreate<F> = {
  [K in keyof F]: F[K] extends Field<unknown, FieldKind, true, false> ? K : never;
}[keyof F];

/**
 * Values accepted by `create`: required fields without a default must be present; computed fields
 * and the inverse side of a one2one cannot be written, and `id` is the database's.
 */
export type CreateValues<F> = Simplify<
  { [K in RequiredOnCreate<F> & KeysWritable<F, "create"> & keyof F]: WriteValue<F[K]> } & {
    [K in Exclude<KeysWritable<F, "create">, RequiredOnCreate<F>>]?: WriteValue<F[K]>;
  }
>;

/** Values accepted by `update`: every writable field but the `readonly` ones, required ones not null. */
export type UpdateValues<F> = { [K in KeysWritable<F, "update">]?: WriteValue<F[K]> };
