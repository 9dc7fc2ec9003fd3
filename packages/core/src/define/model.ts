// biome-ignore-all lint/complexity/noThisInStatic: the statics run on the database of the class they are called on (a db.model(M) class pins its own)
import type { Filter } from "../model/filter-types.js";
import { QuerySet } from "../query/query-set.js";
import { isFieldRef } from "../model/field-ref.js";
import { bindingOf, timed } from "../model/binding.js";
import { validateValue } from "../model/validate.js";
import { autoNowFields } from "../model/auto-now.js";
import type { FieldMap } from "../model/field.js";
import { type AnyModel, type ModelMeta, type ModelOptions, buildMeta } from "../model/model-meta.js";
import type { ModelHooks } from "../model/hooks.js";
import type { Id } from "../model/primary-key.js";
import type {
  CheckRead,
  CreateValues,
  FieldsOf,
  Infer,
  KeyOf,
  ModelType,
  ReadOptions,
  ResultOf,
  SearchOptions,
  UpdateValues,
} from "../model/types.js";
import { refreshRecord, saveRecord } from "../model/record-save.js";
import { remember } from "../model/record-state.js";
import type { Lookups } from "../query/query-set-types.js";

/** Methods every record has. */
export interface RecordMethods<F extends FieldMap> {
  /** Writes `values` to this record and reflects them on the object. */
  update(values: UpdateValues<F>): Promise<void>;
  /** Deletes this record. */
  delete(): Promise<void>;
  /**
   * Inserts the record when it has no id (then holds its id and stored fields, defaults included);
   * otherwise updates only the fields changed since it was read or last saved (none: no SQL).
   *
   * @example
   * const chat = new Chat({ name: "General", creator_id: 1 }); await chat.save(); chat.id; // inserted
   * chat.name = "Renamed"; await chat.save();                                        // UPDATE ... SET name only
   */
  save(): Promise<void>;
  /** Reads the record's fields again from the database (`RecordNotFound` when it is gone). */
  refresh(): Promise<void>;
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
  create(values: CreateValues<F>): Promise<KeyOf<F>>;
  /**
   * Inserts records in one statement (or a few, for very large inputs) and returns their ids in
   * order. With `onConflict` (unique fields) it upserts: a conflicting row gets the `update` fields
   * of the new values (none: it is kept as is) and its id is returned in place. Pass an iterable or
   * async iterable (a generator, a stream of parsed lines) to insert millions of rows with bounded memory.
   */
  createMany(
    values: readonly CreateValues<F>[] | Iterable<CreateValues<F>> | AsyncIterable<CreateValues<F>>,
    options?: {
      onConflict?: readonly (keyof F & string)[];
      update?: readonly (keyof F & string)[];
      timeout?: number;
      hooks?: boolean;
    },
  ): Promise<KeyOf<F>[]>;
  /** The record with this id (of the key's type: a number, or a string for uuid and char keys); throws `RecordNotFound`. */
  get<M extends ModelType<F>, const O extends ReadOptions<F> = {}>(
    this: M,
    id: KeyOf<F>,
    options?: O & CheckRead<F, O, keyof ReadOptions<F>>,
  ): Promise<ResultOf<M, O>>;
  /** The record with this id, or null. */
  getOrNull<M extends ModelType<F>, const O extends ReadOptions<F> = {}>(
    this: M,
    id: KeyOf<F>,
    options?: O & CheckRead<F, O, keyof ReadOptions<F>>,
  ): Promise<ResultOf<M, O> | null>;
  /** Records matching a filter, ordered and paged. */
  search<M extends ModelType<F>, const O extends SearchOptions<F> = {}>(
    this: M,
    options?: O & CheckRead<F, O, keyof SearchOptions<F>>,
  ): Promise<ResultOf<M, O>[]>;
  /**
   * A page of records (as `search` returns them) and how many records match in all, limit and
   * offset aside (as `count` with the same filter returns it), access rules applied to both. One
   * statement where the database allows (PostgreSQL, MySQL/MariaDB without nested lists): the
   * page's SELECT carries the count as an uncorrelated subquery, run once.
   *
   * @example
   * const { data, total } = await Lead.searchAndCount({ filter: [["stage", "=", "won"]], order: "name", limit: 50, offset: 100 });
   */
  searchAndCount<M extends ModelType<F>, const O extends SearchOptions<F> = {}>(
    this: M,
    options?: O & CheckRead<F, O, keyof SearchOptions<F>>,
  ): Promise<{ data: ResultOf<M, O>[]; total: number }>;
  /** How many records match. */
  count(options?: CountOptions<F>): Promise<number>;
  /** Whether any record matches. */
  exists(options?: CountOptions<F>): Promise<boolean>;
  /** Updates records by ids or filter; returns how many rows changed. */
  updateMany(target: readonly KeyOf<F>[] | Filter<F>, values: UpdateValues<F>, options?: WriteOptions): Promise<number>;
  /** Deletes records by ids or filter; returns how many rows went. */
  deleteMany(target: readonly KeyOf<F>[] | Filter<F>, options?: WriteOptions): Promise<number>;
  /** A chainable, awaitable query set: `Chat.query().filter({ name__icontains: "gen" }).orderBy("-id")`. */
  query<M extends ModelType<F>>(this: M): QuerySet<M>;
  /** Every record, as a query set: `await Chat.all()` (shortcut of `Chat.query()`). */
  all<M extends ModelType<F>>(this: M): QuerySet<M>;
  /** `Chat.filter({ name__icontains: "gen" })`: shortcut of `Chat.query().filter(...)`. */
  filter<M extends ModelType<F>>(this: M, lookups: Lookups<F>): QuerySet<M>;
  /** `Chat.exclude({ is_archived: true })`: shortcut of `Chat.query().exclude(...)`. */
  exclude<M extends ModelType<F>>(this: M, lookups: Lookups<F>): QuerySet<M>;
  /**
   * The record whose fields equal `values`, or one created from `values` and `defaults`:
   * `[record, created]`. In a transaction (a savepoint inside yours) where the database has them;
   * a concurrent create that wins a unique key is read back instead of failing. Without a unique
   * key on those fields two concurrent calls may both create (as Django's get_or_create).
   *
   * @example
   * const [tag, created] = await Tag.getOrCreate({ code: "vip" }, { label: "VIP" });
   */
  getOrCreate<M extends ModelType<F>>(
    this: M,
    values: Partial<CreateValues<F>>,
    defaults?: Partial<CreateValues<F>>,
  ): Promise<[ResultOf<M, {}>, boolean]>;
  /**
   * The record whose fields equal `values`, updated with `defaults` (its row locked while it is,
   * where the database has row locks), or one created from both: `[record, created]`.
   *
   * @example
   * const [lead, created] = await Lead.updateOrCreate({ email: "ann@x.io" }, { name: "Ann" });
   */
  updateOrCreate<M extends ModelType<F>>(
    this: M,
    values: Partial<CreateValues<F>>,
    defaults?: Partial<CreateValues<F>>,
  ): Promise<[ResultOf<M, {}>, boolean]>;
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
export function model<F extends FieldMap>(
  table: string,
  fields: F,
  options: Omit<ModelOptions, "hooks"> & { hooks?: ModelHooks<F> } = {},
): ModelClass<F> {
  let ctor: AnyModel;
  const meta = buildMeta(table, fields, options as ModelOptions, () => ctor);

  class Model {
    static readonly fields = fields;
    static readonly meta = meta;

    constructor(values?: object) {
      if (values) Object.assign(this, values);
    }

    static create(values: object): Promise<Id> {
      return bindingOf(meta, this).createOne(meta, values);
    }
    static createMany(
      values: readonly object[] | Iterable<object> | AsyncIterable<object>,
      options?: { onConflict?: readonly string[]; update?: readonly string[]; timeout?: number; hooks?: boolean },
    ): Promise<Id[]> {
      return timed(meta, options, () => bindingOf(meta, this).create(meta, values, options), this);
    }
    static get(id: Id, options?: object) {
      return timed(meta, options, () => bindingOf(meta, this).get(meta, id, options, false), this);
    }
    static getOrNull(id: Id, options?: object) {
      return timed(meta, options, () => bindingOf(meta, this).get(meta, id, options, true), this);
    }
    static search(options: object = {}) {
      return timed(meta, options, () => bindingOf(meta, this).search(meta, options), this);
    }
    static searchAndCount(options: object = {}) {
      return timed(meta, options, () => bindingOf(meta, this).searchAndCount(meta, options), this);
    }
    static count(options?: object) {
      return timed(meta, options, () => bindingOf(meta, this).count(meta, options, false), this);
    }
    static async exists(options?: object) {
      return (await timed(meta, options, () => bindingOf(meta, this).count(meta, options, true), this)) > 0;
    }
    static updateMany(target: readonly unknown[], values: object, options?: WriteOptions) {
      return timed(meta, options, () => bindingOf(meta, this).update(meta, target, values, options), this);
    }
    static deleteMany(target: readonly unknown[], options?: WriteOptions) {
      return timed(meta, options, () => bindingOf(meta, this).delete(meta, target, options), this);
    }
    static query() {
      return new QuerySet(meta, undefined, this);
    }
    static all() {
      return this.query();
    }
    static filter(lookups: object) {
      return this.query().filter(lookups as never);
    }
    static exclude(lookups: object) {
      return this.query().exclude(lookups as never);
    }
    static getOrCreate(values: object, defaults?: object) {
      return bindingOf(meta, this).getOrCreate(meta, values, defaults, false);
    }
    static updateOrCreate(values: object, defaults?: object) {
      return bindingOf(meta, this).getOrCreate(meta, values, defaults, true);
    }

    async update(values: object): Promise<void> {
      const id = (this as unknown as { id: number }).id;
      await bindingOf(meta, this).update(meta, id, values);
      const computed: string[] = [];
      for (const [k, v] of Object.entries(values)) {
        const field = meta.fields.get(k);
        if (isFieldRef(v)) computed.push(k);
        else if (field?.stored) (this as Record<string, unknown>)[k] = validateValue(field, v);
      }
      // the stamps the write set (autoNow) are read back as the database holds them
      if (Object.values(values).some((v) => v !== undefined)) computed.push(...autoNowFields(meta).map((x) => x.name));
      // values the database computed (F) are read back, so the record never holds an expression
      if (computed.length > 0)
        Object.assign(this, pick(await bindingOf(meta, this).get(meta, id, { fields: computed }, true), computed));
      // what was written (and read back) is the new baseline of save()
      remember(
        this,
        [...Object.keys(values), ...computed].flatMap((k) => meta.fields.get(k) ?? []),
      );
    }
    save(): Promise<void> {
      return saveRecord(meta, this as unknown as Record<string, unknown>, bindingOf(meta, this), (values) =>
        this.update(values),
      );
    }
    refresh(): Promise<void> {
      return refreshRecord(meta, this as unknown as Record<string, unknown>, bindingOf(meta, this));
    }
    async delete(): Promise<void> {
      await bindingOf(meta, this).delete(meta, (this as unknown as { id: number }).id);
    }
  }
  Object.defineProperty(Model, "name", {
    value: table.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
  });
  ctor = Model as unknown as AnyModel;
  return Model as unknown as ModelClass<F>;
}

/** The field map type of a model, for helpers that take any model. */
export type ModelFields<M> = FieldsOf<M>;

function pick(record: object | null, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (record as Record<string, unknown> | null)?.[k]]));
}
