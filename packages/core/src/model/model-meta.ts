import { ConfigurationError } from "../errors.js";
import { checkAutoNow } from "./auto-now.js";
import { checkHooks } from "./hooks.js";
import { checkPrimaryKey } from "./primary-key.js";
import { checkDefaultOrder } from "./default-order.js";
import { type Field, type OnDelete, isStored } from "./field.js";
import type { AnyModel, FieldMeta, ModelMeta, ModelOptions } from "./meta.js";

export type { AnyModel, FieldMeta, ModelMeta, ModelOptions, TableOptions } from "./meta.js";
export { isRelation } from "./meta.js";

const classOverride = new WeakMap<ModelMeta, AnyModel>();

/**
 * Makes records of `cls`'s model hydrate as `cls` (a class extending the one `model()` returned),
 * so methods defined on the subclass work on every record read, nested ones included.
 */
export function useModelClass(cls: AnyModel): void {
  classOverride.set(cls.meta, cls);
}

const idField: Field = Object.freeze({ kind: "integer", required: true, options: Object.freeze({ readonly: true }) });

/** Builds the metadata of a model. Relation targets resolve on first use. */
export function buildMeta(
  table: string,
  defs: Record<string, Field>,
  options: ModelOptions,
  ctorRef: () => AnyModel,
): ModelMeta {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) {
    throw new ConfigurationError(
      `model table name ${JSON.stringify(table)} must be a plain identifier (letters, digits, _)`,
    );
  }
  const fields = new Map<string, FieldMeta>();
  const identity = defs.id === undefined;
  // the stored fields, listed once the model is built (fields never change after that)
  let built = false;
  let columns: readonly FieldMeta[] | undefined;
  const meta: ModelMeta = {
    identity,
    table,
    label: options.label ?? table,
    options,
    fields,
    get id() {
      return fields.get("id") as FieldMeta;
    },
    get columns() {
      if (columns) return columns;
      const list = Object.freeze([...fields.values()].filter((x) => x.stored && x.name !== "id"));
      if (built) columns = list;
      return list;
    },
    get ctor() {
      return classOverride.get(meta) ?? ctorRef();
    },
  };
  fields.set("id", fieldMeta(meta, "id", defs.id ?? idField));
  for (const [name, def] of Object.entries(defs)) {
    checkPrimaryKey(table, name, def);
    if (name === "id") continue;
    checkAutoNow(table, name, def);
    fields.set(name, fieldMeta(meta, name, def));
  }
  checkDefaultOrder(table, options.order, fields);
  checkHooks(table, options.hooks);
  built = true;
  return meta;
}

/** Names a record cannot carry as its own fields: setting them would replace or shadow its prototype. */
const reservedFieldNames = new Set(["__proto__", "constructor", "prototype"]);

function fieldMeta(model: ModelMeta, name: string, def: Field): FieldMeta {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || reservedFieldNames.has(name)) {
    throw new ConfigurationError(
      `${model.table}: field name ${JSON.stringify(name)} must be a plain identifier (letters, digits, _) other than __proto__, constructor or prototype; rename it (the column option keeps the column's name)`,
    );
  }
  const column = (def.options.column as string | undefined) ?? name;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(column)) {
    throw new ConfigurationError(
      `${model.table}.${name}: column name ${JSON.stringify(column)} must be a plain identifier`,
    );
  }
  const rel = def as Field & {
    target?: () => AnyModel;
    inverse?: string;
    onDelete?: OnDelete;
    link?: { table?: string; column1?: string; column2?: string };
  };
  const target = (): ModelMeta => {
    const t = rel.target?.();
    if (!t || !(t as AnyModel).meta) {
      throw new ConfigurationError(
        `${model.table}.${name}: relation target is not a model (check the () => Model thunk)`,
      );
    }
    return (t as AnyModel).meta;
  };
  const meta: FieldMeta = {
    name,
    column,
    kind: def.kind,
    required: def.required,
    stored: isStored(def),
    def,
    model,
    target,
    onDelete: def.kind === "many2one" ? (rel.onDelete ?? (def.required ? "restrict" : "set null")) : undefined,
  };
  if (def.kind === "one2many" || def.kind === "one2one") {
    (meta as { inverse?: () => FieldMeta }).inverse = () => {
      const inv = target().fields.get(rel.inverse ?? "");
      if (inv?.kind !== "many2one") {
        throw new ConfigurationError(
          `${model.table}.${name}: inverse field "${rel.inverse}" must be a many2one on ${target().table}`,
        );
      }
      return inv;
    };
  }
  if (def.kind === "many2many") {
    (meta as { link?: () => { table: string; column1: string; column2: string } }).link = () => {
      const other = target().table;
      const own = model.table;
      const self = own === other;
      return {
        table: rel.link?.table ?? `${[own, other].sort().join("_")}_rel`,
        column1: rel.link?.column1 ?? `${own}_id`,
        column2: rel.link?.column2 ?? (self ? `${other}_related_id` : `${other}_id`),
      };
    };
  }
  return meta;
}
