import type { Filter } from "../query/filter-types.js";
import { QuerySet } from "../query/query-set.js";
import { isFieldRef } from "../query/expressions.js";
import { bindingOf, timed } from "./binding.js";
import { validateValue } from "./validate.js";
import { autoNowFields } from "./auto-now.js";
import type { FieldMap } from "./field.js";
import { type AnyModel, type ModelMeta, type ModelOptions, buildMeta } from "./model-meta.js";
import type { ModelHooks } from "./hooks.js";
import type { CheckRead, CreateValues, FieldsOf, Infer, ModelType, ReadOptions, ResultOf, SearchOptions, UpdateValues } from "./types.js";

/** Methods every record has. */
export interface RecordMethods<F extends FieldMap> {
  /** Writes `values` to this record and reflects them on the object. */
  update(values: UpdateValues<F>): Promise<void>;
  /** Deletes this record. */
  delete(): Promise<void>;
}

/** Options of `count` and `exists`. */
export interface CountOptions<F> {
  filter?: Filter<F>;
  /** `false` keeps this read on the primary when the adapter has read replicas. */
  replica?: boolean;
  /** Milliseconds every statement of the call must answer within (else `ConnectionError`), as `db.withTimeout`. */
  timeout?: number;
}

/** Options of a bulk write: its time limit, and whether the model's lifecycle hooks run. */
export interface WriteOptions {
  /** Milliseconds every statement of the call must answer within (else `ConnectionError`), as `db.withTimeout`. */
  timeout?: number;
  /** `false`: the model's lifecycle hooks do not run for this call (relation commands still run their own model's). */
  hooks?: boolean;
}

/** The static side of a model class. `this`-typed so subclasses keep their own record type. */
export interface ModelStatics<F extends FieldMap> {
  readonly fields: F;
  readonly meta: ModelMeta;
  /** Inserts one record and returns its id. */
  create(values: CreateValues<F>): Promise<number>;
  /**
   * Inserts records in one statement (or a few, for very large inputs) and returns their ids in
   * order. With `onConflict` (unique fields) it upserts: a conflicting row gets the `update` fields
   * of the new values (none: it is kept as is) and its id is returned in place. Pass an iterable or
   * async iterable (a generator, a stream of parsed lines) to insert millions of rows with bounded memory.
   */
  createMany(values: readonly CreateValues<F>[] | Iterable<CreateValues<F>> | AsyncIterable<CreateValues<F>>, options?: { onConflict?: readonly (keyof F & string)[]; update?: readonly (keyof F & string)[]; timeout?: number; hooks?: boolean }): Promise<number[]>;
  /** The record with this id; throws `RecordNotFound`. */
  get<M extends ModelType<F>, const O extends ReadOptions<F> = {}>(
    this: M,
    id: number,
    options?: O & CheckRead<F, O, keyof ReadOptions<F>>,
  ): Promise<ResultOf<M, O>>;
  /** The record with this id, or null. */
  getOrNull<M extends ModelType<F>, const O extends ReadOptions<F> = {}>(
    this: M,
    id: number,
    options?: O & CheckRead<F, O, keyof ReadOptions<F>>,
  ): Promise<ResultOf<M, O> | null>;
  /** Records matching a filter, ordered and paged. */
  search<M extends ModelType<F>, const O extends SearchOptions<F> = {}>(
    this: M,
    options?: O & CheckRead<F, O, keyof SearchOptions<F>>,
  ): Promise<ResultOf<M, O>[]>;
  /** How many records match. */
  count(options?: CountOptions<F>): Promise<number>;
  /** Whether any record matches. */
  exists(options?: CountOptions<F>): Promise<boolean>;
  /** Updates records by ids or filter; returns how many rows changed. */
  updateMany(target: readonly number[] | Filter<F>, values: UpdateValues<F>, options?: WriteOptions): Promise<number>;
  /** Deletes records by ids or filter; returns how many rows went. */
  deleteMany(target: readonly number[] | Filter<F>, options?: WriteOptions): Promise<number>;
  /** A chainable, awaitable query set: `Chat.query().filter({ name__icontains: "gen" }).orderBy("-id")`. */
  query<M extends ModelType<F>>(this: M): QuerySet<M>;
}

/** What `model()` returns: a class whose instances are records and whose statics query the table. */
export type ModelClass<F extends FieldMap> = ModelStatics<F> & {
  new (values?: Partial<Infer<{ fields: F }>>): Infer<{ fields: F }> & RecordMethods<F>;
};

/**
 * Defines a model: a table and its fields. The result is a class; extend it to add methods.
 *
 * @example
 * export const User = model("users", {
 *   name: f.char({ maxLength: 255, required: true }),
 *   login: f.char({ maxLength: 100, unique: true }),
 * });
 * const id = await User.create({ name: "Ann", login: "ann" });
 */
export function model<F extends FieldMap>(table: string, fields: F, options: Omit<ModelOptions, "hooks"> & { hooks?: ModelHooks<F> } = {}): ModelClass<F> {
  let ctor: AnyModel;
  const meta = buildMeta(table, fields, options as ModelOptions, () => ctor);

  class Model {
    static readonly fields = fields;
    static readonly meta = meta;

    constructor(values?: object) {
      if (values) Object.assign(this, values);
    }

    static create(values: object): Promise<number> {
      return bindingOf(meta)
        .create(meta, [values])
        .then((ids) => ids[0] as number);
    }
    static createMany(values: readonly object[] | Iterable<object> | AsyncIterable<object>, options?: { onConflict?: readonly string[]; update?: readonly string[]; timeout?: number; hooks?: boolean }): Promise<number[]> {
      return timed(meta, options, () => bindingOf(meta).create(meta, values, options));
    }
    static get(id: number, options?: object) {
      return timed(meta, options, () => bindingOf(meta).get(meta, id, options, false));
    }
    static getOrNull(id: number, options?: object) {
      return timed(meta, options, () => bindingOf(meta).get(meta, id, options, true));
    }
    static search(options: object = {}) {
      return timed(meta, options, () => bindingOf(meta).search(meta, options));
    }
    static count(options?: object) {
      return timed(meta, options, () => bindingOf(meta).count(meta, options, false));
    }
    static async exists(options?: object) {
      return (await timed(meta, options, () => bindingOf(meta).count(meta, options, true))) > 0;
    }
    static updateMany(target: readonly unknown[], values: object, options?: WriteOptions) {
      return timed(meta, options, () => bindingOf(meta).update(meta, target, values, options));
    }
    static deleteMany(target: readonly unknown[], options?: WriteOptions) {
      return timed(meta, options, () => bindingOf(meta).delete(meta, target, options));
    }
    static query() {
      return new QuerySet(meta);
    }

    async update(values: object): Promise<void> {
      const id = (this as unknown as { id: number }).id;
      await bindingOf(meta).update(meta, id, values);
      const computed: string[] = [];
      for (const [k, v] of Object.entries(values)) {
        const field = meta.fields.get(k);
        if (isFieldRef(v)) computed.push(k);
        else if (field?.stored) (this as Record<string, unknown>)[k] = validateValue(field, v);
      }
      // the stamps the write set (autoNow) are read back as the database holds them
      if (Object.values(values).some((v) => v !== undefined)) computed.push(...autoNowFields(meta).map((x) => x.name));
      // values the database computed (F) are read back, so the record never holds an expression
      if (computed.length > 0) Object.assign(this, pick(await bindingOf(meta).get(meta, id, { fields: computed }, true), computed));
    }
    async delete(): Promise<void> {
      await bindingOf(meta).delete(meta, (this as unknown as { id: number }).id);
    }
  }
  Object.defineProperty(Model, "name", { value: table.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase()) });
  ctor = Model as unknown as AnyModel;
  return Model as unknown as ModelClass<F>;
}

/** The field map type of a model, for helpers that take any model. */
export type ModelFields<M> = FieldsOf<M>;

function pick(record: object | null, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (record as Record<string, unknown> | null)?.[k]]));
}
