import { ConfigurationError } from "../errors.js";
import type { FieldMap } from "./field.js";
import type { CreateValues, KeyOf, UpdateValues } from "./types.js";

/** What `beforeCreate` gets: the values of one record, which it may change before they are validated and written. */
export interface BeforeCreateEvent<F extends FieldMap = FieldMap> {
  values: CreateValues<F>;
}

/** What `afterCreate` gets: the new record's id and the values it was created from. */
export interface AfterCreateEvent<F extends FieldMap = FieldMap> {
  readonly id: KeyOf<F>;
  readonly values: Readonly<CreateValues<F>>;
}

/** What `beforeUpdate` and `afterUpdate` get: the id of one record being updated and the values written to it. */
export interface UpdateEvent<F extends FieldMap = FieldMap> {
  readonly id: KeyOf<F>;
  readonly values: Readonly<UpdateValues<F>>;
}

/** What `beforeDelete` and `afterDelete` get: the id of one record being deleted. */
export interface DeleteEvent<F extends FieldMap = FieldMap> {
  readonly id: KeyOf<F>;
}

type Hook<E> = (event: E) => void | Promise<void>;

/**
 * Lifecycle hooks of a model, called once per record inside the transaction of the write (where
 * the database has transactions): a hook that throws aborts the call and nothing of it is written.
 * Hooks run for `create`, `createMany`, `update`, `updateMany`, `deleteMany`, records' `update` /
 * `delete`, query sets' `update` / `delete` and relation commands; bulk calls take `{ hooks: false }`
 * to skip them.
 *
 * @example
 * const Lead = model("leads", { title: f.char({ required: true }), slug: f.char() }, {
 *   hooks: {
 *     beforeCreate({ values }) { values.slug ??= values.title.toLowerCase().replace(/\W+/g, "-"); },
 *     beforeDelete({ id }) { if (id === 1) throw new ValidationError("lead 1 is kept"); },
 *   },
 * });
 */
export interface ModelHooks<F extends FieldMap = FieldMap> {
  /** Before a record is inserted; may change `values`. */
  beforeCreate?: Hook<BeforeCreateEvent<F>>;
  /** After a record (and its relation commands) is written. */
  afterCreate?: Hook<AfterCreateEvent<F>>;
  /** Before a record is updated (all records of the call before the one UPDATE statement). */
  beforeUpdate?: Hook<UpdateEvent<F>>;
  /** After a record is updated. */
  afterUpdate?: Hook<UpdateEvent<F>>;
  /** Before a record is deleted (all records of the call before the one DELETE statement). */
  beforeDelete?: Hook<DeleteEvent<F>>;
  /** After a record is deleted. */
  afterDelete?: Hook<DeleteEvent<F>>;
}

/** The names of the hooks. */
export type HookName = keyof ModelHooks;

const names: ReadonlySet<string> = new Set<HookName>([
  "beforeCreate",
  "afterCreate",
  "beforeUpdate",
  "afterUpdate",
  "beforeDelete",
  "afterDelete",
]);

/** Refuses hooks that are not functions, or names that are not hooks, when the model is defined. */
export function checkHooks(table: string, hooks: unknown): void {
  if (hooks === undefined) return;
  if (typeof hooks !== "object" || hooks === null || Array.isArray(hooks))
    throw new ConfigurationError(`${table}: hooks is an object of hook functions (beforeCreate, afterCreate, ...)`);
  for (const [name, fn] of Object.entries(hooks)) {
    if (!names.has(name))
      throw new ConfigurationError(`${table}: unknown hook "${name}"; hooks are ${[...names].join(", ")}`);
    if (typeof fn !== "function" && fn !== undefined)
      throw new ConfigurationError(`${table}: hook "${name}" must be a function`);
  }
}
