import type { ModelMeta } from "@dotorm/core";
import type { Context } from "hono";
import type { CrudConfig } from "./crud-options.js";
import type { CheckedRead } from "./read-guard.js";
import { queryOf } from "./request-context.js";
import { type ListQuery, type NestedOptions, listQuery } from "./request-schemas.js";
import { validate } from "./validate.js";

/** A list request's query string as validated, and (once a page was read with it) as checked. */
export interface ListRead {
  readonly q: ListQuery;
  /** The query as a read request (`fields` split, `filter` and `nested` parsed and validated). */
  readonly req: NestedOptions;
  /** The read checked against the model (set by the first page read with it, inside its session). */
  checked?: CheckedRead;
}

type ReadFromQuery = (q: ListQuery) => NestedOptions;

/** Most list queries kept per API (all dropped when full). */
const maxKept = 256;

const kept = new WeakMap<CrudConfig, Map<string, ListRead>>();

/**
 * The list query of `GET <prefix>/<model>?...` validated, reused when the same model was listed
 * with the same query string a moment ago (a list refreshed, polled or paged back): the query is
 * not parsed, validated and checked again. Only a query that passed is kept (a bad one fails each
 * time), frozen, as it is shared by every request that sends it; the check against the model
 * (`checked`) is kept by the first page read inside its session, so that a request without a valid
 * session still learns nothing of the model's fields.
 */
export function listReadOf(cfg: CrudConfig, meta: ModelMeta, c: Context, readFromQuery: ReadFromQuery): ListRead {
  const url = c.req.url;
  const at = url.indexOf("?");
  const key = `${meta.table}?${at < 0 ? "" : url.slice(at + 1)}`;
  let byKey = kept.get(cfg);
  if (!byKey) kept.set(cfg, (byKey = new Map()));
  const known = byKey.get(key);
  if (known) return known;
  const q = validate(listQuery, queryOf(c), "query");
  const read: ListRead = { q: deepFreeze(q), req: deepFreeze(readFromQuery(q)) };
  if (byKey.size >= maxKept) byKey.clear();
  byKey.set(key, read);
  return read;
}

/**
 * `checked` frozen (shared by the requests of one query string): its plain parts to the bottom; the
 * parsed filter (`where`, core's condition, which points at the model's fields) as core made it.
 */
export function frozenCheck(checked: CheckedRead): CheckedRead {
  const { where, ...plain } = checked;
  for (const v of Object.values(plain)) deepFreeze(v);
  return Object.freeze(where === undefined ? plain : { ...plain, where });
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}
