import { ConfigurationError } from "../errors.js";
import { pinBinding } from "../model/binding.js";
import type { AnyModel, ModelMeta } from "../model/model-meta.js";
import type { Runner } from "./runner.js";

/** Per database, the bound class of each model class asked for. */
const bound = new WeakMap<Runner, WeakMap<AnyModel, AnyModel>>();

/**
 * `db.model(cls)`: a class extending `cls` whose statics, query sets and records run on `db`, so
 * one model definition serves several databases at once. The same class every time for one
 * database; records read through it (or through `db` at all) write back to `db`.
 *
 * @example
 * const Events = boundModel(ch, Event);
 * await Events.createMany(rows);
 */
export function boundModel<M extends AnyModel>(db: Runner, cls: M): M {
  const meta = (cls as { meta?: ModelMeta } | null | undefined)?.meta;
  if (typeof cls !== "function" || !meta)
    throw new ConfigurationError("db.model() takes a model class returned by model() (or a class extending it)");
  if (db.models.get(meta.table) !== meta) {
    throw new ConfigurationError(
      `db.model(${cls.name}): "${meta.table}" is not among this database's models; list it in connect(adapter, { models: [...] })`,
    );
  }
  let classes = bound.get(db);
  if (!classes) bound.set(db, (classes = new WeakMap()));
  let out = classes.get(cls);
  if (!out) {
    const Base = cls as unknown as new (...args: never[]) => object;
    const Bound = class extends Base {};
    Object.defineProperty(Bound, "name", { value: cls.name });
    pinBinding(Bound, db.ops);
    pinBinding(Bound.prototype, db.ops);
    out = Bound as unknown as AnyModel;
    classes.set(cls, out);
  }
  return out as M;
}

/** The prototype of records of `meta` read on `db`: their methods write back to `db`. */
export function recordPrototype(db: Runner, meta: ModelMeta): object {
  return boundModel(db, meta.ctor).prototype;
}
