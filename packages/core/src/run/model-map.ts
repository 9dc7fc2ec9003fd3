import { ConfigurationError } from "../errors.js";
import { type AnyModel, type ModelMeta, useModelClass } from "../model/model-meta.js";

/**
 * The models of `connect({ models })` by table, checked: model classes only, one model per table,
 * every relation target connected too (see {@link checkRelations}).
 *
 * @example
 * const models = modelMap([User, Chat]); // Map { "users" => meta, "chats" => meta }
 */
export function modelMap(classes: readonly AnyModel[]): Map<string, ModelMeta> {
  const models = new Map<string, ModelMeta>();
  for (const cls of classes) {
    if (!cls?.meta)
      throw new ConfigurationError(
        "connect({ models }) takes model classes returned by model() (or classes extending them)",
      );
    const prev = models.get(cls.meta.table);
    if (prev && prev !== cls.meta) throw new ConfigurationError(`two models use the table "${cls.meta.table}"`);
    models.set(cls.meta.table, cls.meta);
    if (Object.getPrototypeOf(cls) !== Function.prototype && cls.meta.ctor !== cls) useModelClass(cls);
  }
  for (const meta of models.values()) checkRelations(meta, models);
  return models;
}

/**
 * Refuses, at `connect`, a model this database cannot serve: one naming another schema (its
 * queries would silently go to the connection's own), or a relation to a model left out of
 * `connect({ models })`.
 *
 * @example
 * for (const meta of models.values()) checkRelations(meta, models);
 */
export function checkRelations(meta: ModelMeta, models: ReadonlyMap<string, ModelMeta>): void {
  if (meta.options.database !== undefined) {
    throw new ConfigurationError(
      `${meta.table}: the model option "database" (a table in another schema or database) is not supported yet; ` +
        "connect those models through their own adapter (e.g. postgres({ url, schema }))",
    );
  }
  for (const field of meta.fields.values()) {
    if (
      field.kind === "many2one" ||
      field.kind === "one2many" ||
      field.kind === "many2many" ||
      field.kind === "one2one"
    ) {
      const target = field.target();
      if (!models.has(target.table)) {
        throw new ConfigurationError(
          `${meta.table}.${field.name} points at "${target.table}", which is not in connect({ models })`,
        );
      }
      field.inverse?.();
    }
  }
}
