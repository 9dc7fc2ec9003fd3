import { DotormError, type Id, type ModelMeta, idFromText } from "@dotorm/core";
import type { Context } from "hono";
import type { BlankEnv } from "hono/types";
import type { CrudConfig, Exposed } from "./crud-options.js";
import { RestError, badRequest, notFound } from "./rest-error.js";
import { parseJson } from "./untrusted.js";

/** The app's Hono environment: the API keeps no variables on a request's context. */
export type RestEnv = BlankEnv;

/** What the API calls on a model (the statics `model()` gives every model class). */
export interface ModelApi {
  create(values: object): Promise<Id>;
  get(id: Id, options?: object): Promise<object>;
  getOrNull(id: Id, options?: object): Promise<object | null>;
  search(options?: object): Promise<object[]>;
  searchAndCount(options?: object): Promise<{ data: object[]; total: number }>;
  count(options?: object): Promise<number>;
  updateMany(target: readonly Id[], values: object): Promise<number>;
  deleteMany(target: readonly Id[]): Promise<number>;
  query(): QuerySetApi;
}

/** The part of a query set the API uses (keyset pages, aggregates). */
export interface QuerySetApi {
  where(filter: readonly unknown[]): QuerySetApi;
  only(...fields: string[]): QuerySetApi;
  nested(spec: object): QuerySetApi;
  orderBy(...terms: string[]): QuerySetApi;
  paginate(options: { size: number; after?: string }): Promise<{ data: object[]; cursor: string | null }>;
  groupBy(...fields: string[]): GroupedApi;
}

/** The part of a grouped query set the API uses. */
export interface GroupedApi {
  having(conditions: readonly (readonly [string, string, unknown])[]): GroupedApi;
  orderBy(...terms: string[]): GroupedApi;
  limit(n: number): GroupedApi;
  offset(n: number): GroupedApi;
  aggregate(spec: object): Promise<Record<string, unknown>[]>;
}

/** The model's statics, typed loosely: every value passed in was validated by the API first. */
export function api(meta: ModelMeta): ModelApi {
  return meta.ctor as unknown as ModelApi;
}

/** The exposed model the path names; 404 when it is not exposed, 405 when the operation is switched off. */
export function modelOf(cfg: CrudConfig, c: Context, need: "read" | "write"): Exposed {
  const name = c.req.param("model") ?? "";
  const m = cfg.models.get(name);
  if (!m)
    throw notFound(`there is no model "${name.slice(0, 64)}" here; GET ${cfg.prefix}/openapi.json lists the models`);
  if (!m[need])
    throw new RestError(
      405,
      "METHOD_NOT_ALLOWED",
      `${name} is ${need === "read" ? "write" : "read"}-only through this API`,
    );
  return m;
}

/**
 * The `:id` path parameter as an id of `meta`, read with its key's type (a positive integer for the
 * database's identity, a uuid or char for a declared key); anything else is a 400 naming `id`.
 */
export function idOf(c: Context, meta: ModelMeta, param = "id"): Id {
  const raw = c.req.param(param) ?? "";
  if (meta.identity) {
    const n = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(n))
      throw badRequest(
        `the record id in the path must be a positive integer, got ${JSON.stringify(raw.slice(0, 32))}`,
        "id",
      );
    return n;
  }
  try {
    return idFromText(meta, raw);
  } catch (e) {
    if (!(e instanceof DotormError)) throw e;
    throw badRequest(`the record id in the path is not a ${meta.table} key (${meta.id.kind}): ${e.message}`, "id");
  }
}

/** The id a search text names, as a list of none or one (a text that is no id of `meta` matches nothing). */
export function textId(meta: ModelMeta, text: string): Id[] {
  if (meta.identity) return /^[1-9]\d{0,15}$/.test(text) ? [Number(text)] : [];
  try {
    return [idFromText(meta, text)];
  } catch (e) {
    if (e instanceof DotormError) return [];
    throw e;
  }
}

/**
 * The query string as an object: every name and value must be well-formed percent-encoded UTF-8,
 * and a parameter given twice is refused rather than guessed at.
 */
export function queryOf(c: Context): Record<string, string> {
  const url = c.req.url;
  const at = url.indexOf("?");
  const out: Record<string, string> = {};
  if (at < 0) return out;
  const raw = url.slice(at + 1).split("#")[0] ?? "";
  for (const pair of raw.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = decodeParam(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decodeParam(pair.slice(eq + 1));
    if (Object.hasOwn(out, key))
      throw badRequest(`query parameter "${key.slice(0, 64)}" is given more than once`, key.slice(0, 64));
    Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
  }
  return out;
}

function decodeParam(text: string): string {
  if (!text.includes("%") && !text.includes("+")) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    throw badRequest("the query string is not well-formed percent-encoded UTF-8");
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A JSON query parameter (`filter`, `nested`), checked like a body. */
export function jsonParam(raw: string | undefined, name: string): unknown {
  return raw === undefined ? undefined : parseJson(raw, `query parameter "${name}"`);
}

/** The request body as JSON: 415 unless it says JSON, 400 when empty or malformed (size is bounded before). */
export async function bodyOf(c: Context): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new RestError(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      `send the body as JSON with "content-type: application/json" (got ${JSON.stringify(type.slice(0, 64) || "none")})`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(await c.req.arrayBuffer());
  } catch (e) {
    if (e instanceof TypeError) throw badRequest("the request body is not valid UTF-8");
    throw e;
  }
  if (text.trim() === "") throw badRequest("the request body is empty; send a JSON object");
  return parseJson(text, "the request body");
}

/** Runs `fn` as the request's session (`db.withSession`); a synchronous session adds no promise hop. */
export function asSession<T>(cfg: CrudConfig, c: Context, fn: () => Promise<T>): Promise<T> {
  try {
    const given = cfg.session(c);
    if (given instanceof Promise) return given.then((session) => cfg.db.withSession(session, fn));
    return cfg.db.withSession(given, fn);
  } catch (e) {
    return Promise.reject(e);
  }
}
