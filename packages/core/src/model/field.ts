/** Every kind of field a model can declare. */
export type FieldKind =
  | "integer"
  | "bigInteger"
  | "smallInteger"
  | "char"
  | "text"
  | "boolean"
  | "datetime"
  | "date"
  | "time"
  | "float"
  | "decimal"
  | "json"
  | "selection"
  | "binary"
  | "uuid"
  | "many2one"
  | "one2many"
  | "many2many"
  | "one2one";

/** What happens to rows pointing at a deleted row. */
export type OnDelete = "cascade" | "set null" | "restrict" | "no action";

/** JSON values a `json` field stores. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Options every field accepts. */
export interface FieldOptions<T = unknown, R extends boolean = boolean> {
  /** NOT NULL in the database; `create` refuses a missing value. */
  required?: R;
  /** A value, a function returning one, or `"now"` for date and time fields. */
  default?: T | (() => T) | "now";
  unique?: boolean;
  index?: boolean;
  /** `false`: not a column (use with `compute`). */
  store?: boolean;
  /** Derives the value on read from the other fields of the record. */
  compute?: (record: Record<string, unknown>) => T;
  /** Fields a computed field reads; they are loaded with it. */
  depends?: readonly string[];
  /** Refused by `update` and by the REST API. */
  readonly?: boolean;
  /** Never leaves through the REST API and cannot be filtered on there. */
  private?: boolean;
  /** Column name when it differs from the field key. */
  column?: string;
  label?: string;
  help?: string;
}

/**
 * Which writes accept a field, at the type level: `readonly` fields are set on create only,
 * computed (`store: false`) ones never.
 */
export type WriteMode = "always" | "on-create" | "never";

/**
 * A field definition. `T` is the JavaScript type of its value, `R` whether it is required (so
 * the record type is `T` rather than `T | null`), `K` its kind, `D` whether it has a default, `W`
 * which writes accept it. Built with the `f` builders.
 */
export interface Field<
  T = unknown,
  K extends FieldKind = FieldKind,
  R extends boolean = boolean,
  D extends boolean = boolean,
  W extends WriteMode = WriteMode,
> {
  readonly kind: K;
  readonly required: R;
  readonly options: Readonly<FieldOptions<T, R>> & Readonly<Record<string, unknown>>;
  /** Type-level carriers of the value type, "has a default" and the write mode; never set at runtime. */
  readonly __value?: T;
  readonly __default?: D;
  readonly __write?: W;
}

/** A many2one: a foreign-key column to `M`. */
export interface Many2oneField<
  M,
  R extends boolean = boolean,
  D extends boolean = boolean,
  W extends WriteMode = WriteMode,
> extends Field<number, "many2one", R, D, W> {
  readonly target: () => M;
  readonly onDelete?: OnDelete;
}

/** A one2many: the rows of `M` whose `inverse` many2one points here. No column. */
export interface One2manyField<M, W extends WriteMode = WriteMode> extends Field<number[], "one2many", false, true, W> {
  readonly target: () => M;
  readonly inverse: string;
}

/** A many2many through a link table. */
export interface Many2manyField<M, W extends WriteMode = WriteMode>
  extends Field<number[], "many2many", false, true, W> {
  readonly target: () => M;
  readonly link: { table?: string; column1?: string; column2?: string };
}

/** A one2one: the inverse side of a unique many2one on `M`. No column. */
export interface One2oneField<M> extends Field<number, "one2one", false, true, "never"> {
  readonly target: () => M;
  readonly inverse: string;
}

/**
 * The id type of a field map: the type of a declared key (`id: f.uuid({ primaryKey: true })` gives
 * `string`), else `number` (the database's integer identity).
 */
export type KeyOf<F> = F extends { readonly id: Field<infer T, FieldKind, boolean, boolean> } ? T : number;

/**
 * The id type of a model class: `IdOf<typeof Token>` is `string` for a uuid key. A target typed
 * only as `AnyModel` (a forward reference) gives `number`: annotate the thunk with the model's own
 * type (`(): typeof Token => Token`) when it has a declared key.
 */
export type IdOf<M> = M extends { readonly fields: infer F } ? KeyOf<F> : number;

/** Any relation field. */
export type RelationField<M = unknown> = Many2oneField<M> | One2manyField<M> | Many2manyField<M> | One2oneField<M>;

/** A map of field key to definition, as passed to `model()`. */
export type FieldMap = Record<string, Field<any, FieldKind, boolean, boolean>>;

/** The relation kinds. */
export const relationKinds: ReadonlySet<FieldKind> = new Set(["many2one", "one2many", "many2many", "one2one"]);

/** Kinds that have no column on the model's own table. */
export const virtualKinds: ReadonlySet<FieldKind> = new Set(["one2many", "many2many", "one2one"]);

/** Whether the field is a column of its table. */
export function isStored(field: Field): boolean {
  return !virtualKinds.has(field.kind) && field.options.store !== false;
}
