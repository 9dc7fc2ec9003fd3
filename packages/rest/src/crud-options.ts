import type { AnyModel, Database, FieldMeta, ModelMeta, NPlusOneOptions } from "@dotorm/core";
import type { Context } from "hono";

/** Per-model switches of {@link CrudOptions.models}. */
export interface ModelExposure {
  /** Serve the read routes (list, search, get, fields, name_search, aggregate, relation pages). Default true. */
  read?: boolean;
  /** Serve the write routes (create, update, delete, bulk). Default true. */
  write?: boolean;
  /** The field `name_search` matches and returns as the display name (default: `name` when the model has one). */
  displayName?: string;
}

/** Options of `crud(db, options)`. */
export interface CrudOptions {
  /** Where the routes live. Default `/auto`. */
  prefix?: string;
  /**
   * The session every call of a request runs as (`db.withSession`). Return undefined for "no
   * session" (the access checker decides); throw `unauthorized()` for a 401.
   */
  session?: (c: Context) => unknown | Promise<unknown>;
  /** Which models to expose (table names or model classes, or a map of table to switches). Default: all. */
  models?: readonly (string | AnyModel)[] | Readonly<Record<string, boolean | ModelExposure>>;
  /** Largest `limit`, page `size` and bulk id list a request may ask for. Default 1000. */
  maxLimit?: number;
  /** Deepest `nested` a read may ask for. Default 4. */
  maxNestedDepth?: number;
  /** Largest request body in bytes. Default 1 MB. */
  maxBodyBytes?: number;
  /** Time a request may take before it is answered 504. Default 30 s. */
  timeoutMs?: number;
  /** Serve `GET <prefix>/docs` (Swagger UI, assets from this package). Default true. */
  docs?: boolean;
  /** Title and version of the OpenAPI document. */
  info?: { title?: string; version?: string; description?: string };
  /** Called with every server fault (5xx) and its request id; default: console.error. */
  onError?: (error: unknown, requestId: string) => void;
  /**
   * Each request is one `db.scope` of the N+1 detector (default: on, with the database's
   * `nPlusOne` defaults, except when `NODE_ENV` is "production"); options here override them,
   * `true` or an options object turns it on in production too, `false` turns it off.
   */
  nPlusOne?: boolean | NPlusOneOptions;
}

/** A model as the API serves it. */
export interface Exposed {
  readonly meta: ModelMeta;
  readonly read: boolean;
  readonly write: boolean;
  /** The field name_search matches, if any. */
  readonly display?: FieldMeta;
}

/** The options with their defaults and the exposed models resolved. */
export interface CrudConfig {
  readonly db: Database;
  readonly prefix: string;
  readonly session: (c: Context) => unknown | Promise<unknown>;
  readonly models: ReadonlyMap<string, Exposed>;
  readonly maxLimit: number;
  readonly maxNestedDepth: number;
  readonly maxBodyBytes: number;
  readonly timeoutMs: number;
  readonly docs: boolean;
  readonly info: { title: string; version: string; description?: string };
  readonly onError: (error: unknown, requestId: string) => void;
}

/** Whether a field never leaves through the REST API (and cannot be filtered, ordered or written there). */
export function isPrivate(field: FieldMeta): boolean {
  return field.def.options.private === true;
}

/** Whether the API refuses the field on update: `readonly`, stamped by the ORM (`autoNow`/`autoNowAdd`), computed, the id, a one2one's inverse side. */
export function isReadonly(field: FieldMeta): boolean {
  const o = field.def.options;
  return (
    field.name === "id" ||
    o.readonly === true ||
    o.autoNow === true ||
    o.autoNowAdd === true ||
    isComputed(field) ||
    field.kind === "one2one"
  );
}

/** A computed field: derived on read, never written. */
export function isComputed(field: FieldMeta): boolean {
  return (
    field.def.options.store === false &&
    field.kind !== "one2many" &&
    field.kind !== "many2many" &&
    field.kind !== "one2one"
  );
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1)
    throw new TypeError(`crud(): ${name} must be a positive integer, got ${String(value)}`);
  return v;
}

/** Resolves {@link CrudOptions} against the database's models; unknown names fail at startup. */
export function resolveOptions(db: Database, options: CrudOptions): CrudConfig {
  const prefix = (options.prefix ?? "/auto").replace(/\/+$/, "");
  if (prefix !== "" && !/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix))
    throw new TypeError(`crud(): prefix must look like "/auto", got ${JSON.stringify(options.prefix)}`);
  const wanted = new Map<string, boolean | ModelExposure>();
  const given = options.models;
  if (given === undefined) for (const table of db.models.keys()) wanted.set(table, true);
  else if (Array.isArray(given))
    for (const m of given as readonly (string | AnyModel)[]) wanted.set(typeof m === "string" ? m : m.meta.table, true);
  else for (const [table, v] of Object.entries(given as Record<string, boolean | ModelExposure>)) wanted.set(table, v);
  const models = new Map<string, Exposed>();
  for (const [table, v] of wanted) {
    const meta = db.models.get(table);
    if (!meta)
      throw new TypeError(
        `crud(): model "${table}" is not connected to this database (connect it, or remove it from options.models)`,
      );
    if (v === false) continue;
    const ex: ModelExposure = v === true ? {} : v;
    const displayName = ex.displayName ?? (meta.fields.has("name") ? "name" : undefined);
    const field = displayName === undefined ? undefined : meta.fields.get(displayName);
    const display =
      field?.stored && !isPrivate(field) && ["char", "text", "selection"].includes(field.kind) ? field : undefined;
    if (ex.displayName !== undefined && !display)
      throw new TypeError(
        `crud(): ${table}.displayName must name a stored, non-private text field, got "${displayName}"`,
      );
    models.set(table, { meta, read: ex.read !== false, write: ex.write !== false, display });
  }
  return {
    db,
    prefix,
    session: options.session ?? (() => undefined),
    models,
    maxLimit: positive("maxLimit", options.maxLimit, 1000),
    maxNestedDepth: positive("maxNestedDepth", options.maxNestedDepth, 4),
    maxBodyBytes: positive("maxBodyBytes", options.maxBodyBytes, 1024 * 1024),
    timeoutMs: positive("timeoutMs", options.timeoutMs, 30_000),
    docs: options.docs !== false,
    info: {
      title: options.info?.title ?? "DotORM REST API",
      version: options.info?.version ?? "1.0.0",
      description: options.info?.description,
    },
    onError:
      options.onError ?? ((error, requestId) => console.error(`[dotorm/rest] request ${requestId} failed:`, error)),
  };
}
