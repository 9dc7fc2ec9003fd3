import type {
  Field,
  FieldKind,
  FieldOptions,
  JsonValue,
  Many2manyField,
  Many2oneField,
  OnDelete,
  One2manyField,
  One2oneField,
} from "./field.js";
import type { AutoNowOptions } from "./auto-now.js";
import type { PrimaryKeyOptions } from "./primary-key.js";

/** `true` when the options say `required: true` (a primary key always is). */
type Req<O> = O extends { required: true } | { primaryKey: true } ? true : false;
/** `true` when the options give a default (a stamp set by `autoNow`/`autoNowAdd` counts as one). */
type Def<O> = O extends { default: unknown } ? true : O extends { autoNow: true } | { autoNowAdd: true } ? true : false;
/** Which writes accept the field: computed fields none, `readonly` and stamped ones create only. */
type Wr<O> = O extends { store: false }
  ? "never"
  : O extends { readonly: true } | { autoNow: true } | { autoNowAdd: true } | { primaryKey: true }
    ? "on-create"
    : "always";

function make<T, K extends FieldKind, O>(
  kind: K,
  options: object = {},
  extra: object = {},
): Field<T, K, Req<O>, Def<O>, Wr<O>> {
  const opts = { ...options } as FieldOptions & Record<string, unknown>;
  return Object.freeze({
    kind,
    required: (opts.required ?? opts.primaryKey === true) as Req<O>,
    options: Object.freeze(opts),
    ...extra,
  }) as Field<T, K, Req<O>, Def<O>, Wr<O>>;
}

type Opts<T> = FieldOptions<T, boolean>;

/**
 * The options parameter of a builder: `O` (captured `const`, so `required`/`default` reach the
 * types), `Base` again so callbacks such as `compute` get their parameter types, and every key
 * `Base` lacks mapped to `never` so a misspelt option (`requried: true`) is a compile error.
 */
type Checked<O, Base> = O & Base & { [K in Exclude<keyof O, keyof Base>]: never };

/** Options of an integer field that may be the primary key. */
export interface IntegerOptions extends Opts<number>, PrimaryKeyOptions {}

/** Options of a `uuid` field: `default: "uuid7"` has the ORM make a time-ordered UUIDv7 on create. */
export interface UuidOptions extends Omit<Opts<string>, "default">, PrimaryKeyOptions {
  default?: "uuid7" | string | (() => string);
}

/** Options of a `char` field. */
export interface CharOptions extends Opts<string>, PrimaryKeyOptions {
  /** VARCHAR length in characters (code points); 255 unless given. */
  maxLength?: number;
}

/** Options of a `datetime` or `date` field: a value, or a stamp kept by the ORM. */
export interface DatetimeOptions<T> extends Opts<T>, AutoNowOptions {}

/** Options of a `decimal` field. */
export interface DecimalOptions extends Opts<string | number> {
  /** Total significant digits; 18 unless given. */
  precision?: number;
  /** Digits after the point; 2 unless given. */
  scale?: number;
}

/** Options of a `selection` field: `[value, label]` pairs. */
export interface SelectionOptions<V extends string> extends Opts<V> {
  options: readonly (readonly [V, string])[];
}

/** Options of a `many2one` field. */
export interface Many2oneOptions extends Opts<number | string> {
  /** Default `"set null"` when nullable, `"restrict"` when required. */
  onDelete?: OnDelete;
}

/** Options of a `many2many` field; the link table and its columns default from the two table names. */
export interface Many2manyOptions {
  table?: string;
  column1?: string;
  column2?: string;
  label?: string;
  help?: string;
  private?: boolean;
  readonly?: boolean;
}

/** Options of relation fields without a column. */
export interface VirtualRelationOptions {
  label?: string;
  help?: string;
  private?: boolean;
  readonly?: boolean;
}

/**
 * Field builders.
 *
 * @example
 * const User = model("users", {
 *   name: f.char({ maxLength: 255, required: true }),
 *   is_active: f.boolean({ default: true }),
 * });
 */
export const f = {
  /** INTEGER (32-bit). */
  integer: <const O extends IntegerOptions = {}>(o?: Checked<O, IntegerOptions>) =>
    make<number, "integer", O>("integer", o),
  /**
   * BIGINT, read as a JS number; values outside ±2^53 are refused with a clear error.
   * `id: f.bigInteger({ primaryKey: true })` makes it the key, given by the caller on create.
   */
  bigInteger: <const O extends IntegerOptions = {}>(o?: Checked<O, IntegerOptions>) =>
    make<number, "bigInteger", O>("bigInteger", o),
  /** SMALLINT (16-bit). */
  smallInteger: <const O extends Opts<number> = {}>(o?: Checked<O, Opts<number>>) =>
    make<number, "smallInteger", O>("smallInteger", o),
  /** VARCHAR(maxLength), 255 unless given; `id: f.char({ primaryKey: true, maxLength: 20 })` makes it the key. */
  char: <const O extends CharOptions = {}>(o?: Checked<O, CharOptions>) =>
    make<string, "char", O>("char", { maxLength: 255, ...o }),
  /** Unbounded text. */
  text: <const O extends Opts<string> = {}>(o?: Checked<O, Opts<string>>) => make<string, "text", O>("text", o),
  boolean: <const O extends Opts<boolean> = {}>(o?: Checked<O, Opts<boolean>>) =>
    make<boolean, "boolean", O>("boolean", o),
  /**
   * A point in time, stored in UTC (TIMESTAMPTZ, DATETIME(6), DateTime64); read as `Date`.
   * `{ autoNowAdd: true }` stamps it when the record is created, `{ autoNow: true }` on every write.
   *
   * @example
   * created_at: f.datetime({ autoNowAdd: true }), updated_at: f.datetime({ autoNow: true }),
   */
  datetime: <const O extends DatetimeOptions<Date> = {}>(o?: Checked<O, DatetimeOptions<Date>>) =>
    make<Date, "datetime", O>("datetime", o),
  /** A calendar date, read and written as `"YYYY-MM-DD"` (no time-zone shifts); takes `autoNow` / `autoNowAdd` as `datetime` does (UTC day). */
  date: <const O extends DatetimeOptions<string> = {}>(o?: Checked<O, DatetimeOptions<string>>) =>
    make<string, "date", O>("date", o),
  /** A time of day, read and written as `"HH:MM:SS"` (fractions allowed). */
  time: <const O extends Opts<string> = {}>(o?: Checked<O, Opts<string>>) => make<string, "time", O>("time", o),
  /** DOUBLE PRECISION. */
  float: <const O extends Opts<number> = {}>(o?: Checked<O, Opts<number>>) => make<number, "float", O>("float", o),
  /** NUMERIC(precision, scale), 18,2 unless given; read as a string so no digit is lost. */
  decimal: <const O extends DecimalOptions = {}>(o?: Checked<O, DecimalOptions>) =>
    make<string, "decimal", O>("decimal", { precision: 18, scale: 2, ...o }),
  /** A JSON document (JSONB, JSON). */
  json: <T extends JsonValue = JsonValue, const O extends Opts<T> = {}>(o?: Checked<O, Opts<NoInfer<T>>>) =>
    make<T, "json", O>("json", o),
  /** One of a fixed list of string values (validated on write); the value type is the union of the options. */
  selection: <const V extends string, const O extends SelectionOptions<V> = SelectionOptions<V>>(
    // `default` must not widen V: only `options` say which values exist.
    o: Checked<O, Omit<SelectionOptions<V>, "default"> & { default?: NoInfer<V> | (() => NoInfer<V>) }>,
  ) => make<V, "selection", O>("selection", o),
  /**
   * A UUID (UUID on PostgreSQL and ClickHouse, CHAR(36) on MySQL), read as a lower-case string.
   * As the key, `default: "uuid7"` has the ORM make a time-ordered UUIDv7 for every new record.
   *
   * @example
   * const Token = model("tokens", { id: f.uuid({ primaryKey: true, default: "uuid7" }), label: f.char() });
   */
  uuid: <const O extends UuidOptions = {}>(o?: Checked<O, UuidOptions>) => make<string, "uuid", O>("uuid", o),
  /** Bytes (BYTEA, LONGBLOB, String); read as a `Uint8Array` (a Buffer on Node). */
  binary: <const O extends Opts<Uint8Array> = {}>(o?: Checked<O, Opts<Uint8Array>>) =>
    make<Uint8Array, "binary", O>("binary", o),

  /** A foreign key to `target`'s id; read as the id, or as an object when nested. */
  many2one: <M, const O extends Many2oneOptions = {}>(
    target: () => M,
    o?: Checked<O, Many2oneOptions>,
  ): Many2oneField<M, Req<O>, Def<O>, Wr<O>> =>
    Object.freeze({ ...make<number, "many2one", O>("many2one", o), target, onDelete: o?.onDelete }),
  /** The rows of `target` whose many2one `inverse` points at this record. */
  one2many: <M, const O extends VirtualRelationOptions = {}>(
    target: () => M,
    inverse: string,
    o?: Checked<O, VirtualRelationOptions>,
  ): One2manyField<M, Wr<O>> =>
    Object.freeze({
      ...make<number[], "one2many", O & { default: [] }>("one2many", o),
      required: false as const,
      target,
      inverse,
    }),
  /** A set of `target` rows through a link table. */
  many2many: <M, const O extends Many2manyOptions = {}>(
    target: () => M,
    o?: Checked<O, Many2manyOptions>,
  ): Many2manyField<M, Wr<O>> =>
    Object.freeze({
      ...make<number[], "many2many", O & { default: [] }>("many2many", o),
      required: false as const,
      target,
      link: { table: o?.table, column1: o?.column1, column2: o?.column2 },
    }),
  /** The record of `target` whose unique many2one `inverse` points here. */
  one2one: <M, const O extends VirtualRelationOptions = {}>(
    target: () => M,
    inverse: string,
    o?: Checked<O, VirtualRelationOptions>,
  ): One2oneField<M> =>
    Object.freeze({
      ...make<number, "one2one", { default: null; store: false }>("one2one", o),
      required: false as const,
      target,
      inverse,
    }),
};
