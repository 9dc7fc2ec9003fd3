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

/** `true` when the options say `required: true`. */
type Req<O> = O extends { required: true } ? true : false;
/** `true` when the options give a default. */
type Def<O> = O extends { default: unknown } ? true : false;

function make<T, K extends FieldKind, O>(kind: K, options: object = {}, extra: object = {}): Field<T, K, Req<O>, Def<O>> {
  const opts = { ...options } as FieldOptions & Record<string, unknown>;
  return Object.freeze({ kind, required: (opts.required ?? false) as Req<O>, options: Object.freeze(opts), ...extra }) as Field<T, K, Req<O>, Def<O>>;
}

type Opts<T> = FieldOptions<T, boolean>;

/** Options of a `selection` field: `[value, label]` pairs. */
export interface SelectionOptions<V extends string> extends Opts<V> {
  options: readonly (readonly [V, string])[];
}

/** Options of a `many2one` field. */
export interface Many2oneOptions extends Opts<number> {
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
  integer: <const O extends Opts<number> = {}>(o?: O) => make<number, "integer", O>("integer", o),
  /** BIGINT, read as a JS number; values outside ±2^53 are refused with a clear error. */
  bigInteger: <const O extends Opts<number> = {}>(o?: O) => make<number, "bigInteger", O>("bigInteger", o),
  /** SMALLINT (16-bit). */
  smallInteger: <const O extends Opts<number> = {}>(o?: O) => make<number, "smallInteger", O>("smallInteger", o),
  /** VARCHAR(maxLength), 255 unless given. */
  char: <const O extends Opts<string> & { maxLength?: number } = {}>(o?: O) =>
    make<string, "char", O>("char", { maxLength: 255, ...o }),
  /** Unbounded text. */
  text: <const O extends Opts<string> = {}>(o?: O) => make<string, "text", O>("text", o),
  boolean: <const O extends Opts<boolean> = {}>(o?: O) => make<boolean, "boolean", O>("boolean", o),
  /** A point in time, stored in UTC (TIMESTAMPTZ, DATETIME(6), DateTime64); read as `Date`. */
  datetime: <const O extends Opts<Date> = {}>(o?: O) => make<Date, "datetime", O>("datetime", o),
  /** A calendar date, read and written as `"YYYY-MM-DD"` (no time-zone shifts). */
  date: <const O extends Opts<string> = {}>(o?: O) => make<string, "date", O>("date", o),
  /** A time of day, read and written as `"HH:MM:SS"` (fractions allowed). */
  time: <const O extends Opts<string> = {}>(o?: O) => make<string, "time", O>("time", o),
  /** DOUBLE PRECISION. */
  float: <const O extends Opts<number> = {}>(o?: O) => make<number, "float", O>("float", o),
  /** NUMERIC(precision, scale), 18,2 unless given; read as a string so no digit is lost. */
  decimal: <const O extends Opts<string | number> & { precision?: number; scale?: number } = {}>(o?: O) =>
    make<string, "decimal", O>("decimal", { precision: 18, scale: 2, ...o }),
  /** A JSON document (JSONB, JSON). */
  json: <T extends JsonValue = JsonValue, const O extends Opts<T> = {}>(o?: O) => make<T, "json", O>("json", o),
  /** One of a fixed list of string values (validated on write). */
  selection: <const V extends string, const O extends SelectionOptions<V> = SelectionOptions<V>>(o: O & SelectionOptions<V>) =>
    make<V, "selection", O>("selection", o),
  /** Bytes (BYTEA, LONGBLOB, String); read as a `Uint8Array` (a Buffer on Node). */
  binary: <const O extends Opts<Uint8Array> = {}>(o?: O) => make<Uint8Array, "binary", O>("binary", o),

  /** A foreign key to `target`'s id; read as the id, or as an object when nested. */
  many2one: <M, const O extends Many2oneOptions = {}>(target: () => M, o?: O): Many2oneField<M, Req<O>, Def<O>> =>
    Object.freeze({ ...make<number, "many2one", O>("many2one", o), target, onDelete: o?.onDelete }),
  /** The rows of `target` whose many2one `inverse` points at this record. */
  one2many: <M>(target: () => M, inverse: string, o?: VirtualRelationOptions): One2manyField<M> =>
    Object.freeze({ ...make<number[], "one2many", { default: [] }>("one2many", o), required: false as const, target, inverse }),
  /** A set of `target` rows through a link table. */
  many2many: <M>(target: () => M, o?: Many2manyOptions): Many2manyField<M> =>
    Object.freeze({
      ...make<number[], "many2many", { default: [] }>("many2many", o),
      required: false as const,
      target,
      link: { table: o?.table, column1: o?.column1, column2: o?.column2 },
    }),
  /** The record of `target` whose unique many2one `inverse` points here. */
  one2one: <M>(target: () => M, inverse: string, o?: VirtualRelationOptions): One2oneField<M> =>
    Object.freeze({ ...make<number, "one2one", { default: null }>("one2one", o), required: false as const, target, inverse }),
};
