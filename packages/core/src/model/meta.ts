import { type Field, type FieldKind, type OnDelete, type RelationField, relationKinds } from "./field.js";
import type { ModelHooks } from "./hooks.js";

// The metadata types every layer reads (fields resolved in their model, the model itself). Types
// only, plus the relation test: the bottom of model/, so the checks that build a model import it
// and it imports none of them.

/**
 * Model-wide options, the third argument of `model()`. An interface so adapters declare their own
 * table options on it by module augmentation (`@dotorm/clickhouse` adds `clickhouse`); core passes
 * those through unread (see {@link TableOptions}).
 *
 * @example
 * declare module "@dotorm/core" { interface ModelOptions { myAdapter?: { tablespace?: string } } }
 */
export interface ModelOptions {
  /** Composite indexes, each a list of field keys. */
  indexes?: readonly (readonly string[])[];
  /** Database (schema) the table lives in. Reserved: `connect` refuses it for now (use a separate connection). */
  database?: string;
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

/** The keys of {@link ModelOptions} core declares; every other key belongs to an adapter. */
type CoreOptionKey = "indexes" | "database" | "label" | "order" | "hooks" | "cache";

/**
 * Table-wide options a migration's `createTable` carries: the adapter-declared keys of
 * {@link ModelOptions} (typed where the adapter is imported), which core passes to the adapter's
 * DDL compiler without reading them.
 *
 * @example
 * schema.createTable("events", columns, { clickhouse: { orderBy: ["day", "id"] } }) // with @dotorm/clickhouse
 */
export type TableOptions = Omit<ModelOptions, CoreOptionKey>;

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

/** Whether the field is a relation. */
export function isRelation(field: Field): field is RelationField<AnyModel> {
  return relationKinds.has(field.kind);
}
