import { ConfigurationError } from "../errors.js";
import { checkAutoNow } from "./auto-now.js";
import { type ModelHooks, checkHooks } from "./hooks.js";
import { checkPrimaryKey } from "./primary-key.js";
import { checkDefaultOrder } from "../query/default-order.js";
import { type Field, type FieldKind, type OnDelete, isStored } from "./field.js";

/**
 * ClickHouse table options of a model (`model(..., { clickhouse: { ... } })`). An interface so the
 * ClickHouse adapter can add its own keys by declaration merging (`@dotorm/clickhouse` adds
 * `distributed`); other adapters ignore them.
 *
 * @example
 * model("events", fields, { clickhouse: { orderBy: ["day", "id"], partitionBy: "toYYYYMM(day)" } })
 */
export interface ClickHouseModelOptions {
  engine?: string;
  orderBy?: string | readonly string[];
  partitionBy?: string;
  ttl?: string;
}

/** Model-wide options, the third argument of `model()`. */
export interface ModelOptions {
  /** Composite indexes, each a list of field keys. */
  indexes?: readonly (readonly string[])[];
  /** Database (schema) the table lives in. Reserved: `connect` refuses it for now (use a separate connection). */
  database?: string;
  /** ClickHouse table settings. */
  clickhouse?: ClickHouseModelOptions;
  /** Human name; defaults to the table name. */
  label?: string;
  /**
   * The order of reads that give none (Django's `Meta.ordering`): field keys, `-` for descending.
   * Applies to `search`, query sets, pages, streams and nested one2many / many2many lists; ties are
   * broken by id. Terms on a field the session may not read are left out for that session.
   */
  order?: readonly string[];
  /** Lifecycle hooks (see {@link ModelHooks}); `model()` types them with the model's fields. */
  hooks?: ModelHooks<any>;
  /** Serve this model's reads from the query cache for `ttl` milliseconds (`qs.cache(false)` opts a read out). */
  cache?: { ttl: number };
}

/** A field resolved inside its model: its key, column and, for relations, the target's metadata. */
export interface FieldMeta {
  readonly name: string;
  readonly column: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly stored: boolean;
  readonly def: Field;
  readonly model: ModelMeta;
  /** Relation target (resolved lazily so models may reference each other). */
  target(): ModelMeta;
  /** Effective onDelete of a many2one. */
  readonly onDelete?: OnDelete;
  /** one2many / one2one: the many2one on the target that points back. */
  inverse?(): FieldMeta;
  /** many2many: the link table and its two columns. */
  link?(): { table: string; column1: string; column2: string };
}

/** What DotORM knows about a model: its table, fields and options. */
export interface ModelMeta {
  readonly table: string;
  readonly label: string;
  readonly options: ModelOptions;
  readonly fields: ReadonlyMap<string, FieldMeta>;
  /** The `id` primary key, as a field. */
  readonly id: FieldMeta;
  /**
   * `true` when the database generates the ids (the implicit integer `id`; on ClickHouse the
   * adapter); `false` when the model declares its key (`id: f.uuid({ primaryKey: true })`), whose
   * values the caller (or the key's default) gives on create.
   */
  readonly identity: boolean;
  /** Stored fields (columns), in declaration order, without `id`. */
  readonly columns: readonly FieldMeta[];
  /** The class records are hydrated into. */
  readonly ctor: AnyModel;
}

/** Any model class: the thing `model()` returns (or a class extending it). */
export interface AnyModel {
  readonly meta: ModelMeta;
  new (...args: never[]): object;
}

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
export function buildMeta(table: string, defs: Record<string, Field>, options: ModelOptions, ctorRef: () => AnyModel): ModelMeta {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) {
    throw new ConfigurationError(`model table name ${JSON.stringify(table)} must be a plain identifier (letters, digits, _)`);
  }
  const fields = new Map<string, FieldMeta>();
  const identity = defs.id === undefined;
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
      return [...fields.values()].filter((x) => x.stored && x.name !== "id");
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
  return meta;
}

function fieldMeta(model: ModelMeta, name: string, def: Field): FieldMeta {
  const column = (def.options.column as string | undefined) ?? name;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(column)) {
    throw new ConfigurationError(`${model.table}.${name}: column name ${JSON.stringify(column)} must be a plain identifier`);
  }
  const rel = def as Field & { target?: () => AnyModel; inverse?: string; onDelete?: OnDelete; link?: { table?: string; column1?: string; column2?: string } };
  const target = (): ModelMeta => {
    const t = rel.target?.();
    if (!t || !(t as AnyModel).meta) {
      throw new ConfigurationError(`${model.table}.${name}: relation target is not a model (check the () => Model thunk)`);
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
