import { QueryError } from "../errors.js";
import type { ModelMeta } from "../model/model-meta.js";
import { shown } from "../model/shown.js";

/** How long a read may be served from the query cache: `qs.cache({ ttl })`, the model option `cache`. */
export interface CacheOption {
  /** Milliseconds. */
  readonly ttl: number;
}

/**
 * A caller's cache option, checked: `{ ttl }` with a positive integer of milliseconds, or `false`
 * (no caching, overriding the model's option).
 *
 * @example
 * checkCacheOption({ ttl: 30_000 }, "chats"); // { ttl: 30000 }
 */
export function checkCacheOption(option: unknown, where: string): CacheOption | false | undefined {
  if (option === undefined || option === false) return option;
  const ttl = (option as { ttl?: unknown } | null)?.ttl;
  const keys = typeof option === "object" && option !== null && !Array.isArray(option) ? Object.keys(option) : [];
  if (keys.length !== 1 || typeof ttl !== "number" || !Number.isSafeInteger(ttl) || ttl < 1) {
    throw new QueryError(
      `${where}: cache takes { ttl } with a positive integer of milliseconds (or false), got ${shown(option)}`,
      "cache",
    );
  }
  return { ttl };
}

/**
 * The cache option a read of `model` runs with: the call's own (`false` turns caching off), else the
 * model's `cache` option; undefined when the read is not cached.
 *
 * @example
 * cacheFor(Chat.meta, undefined); // the model's { ttl } or undefined
 */
export function cacheFor(model: ModelMeta, option: unknown): CacheOption | undefined {
  const checked = checkCacheOption(option === undefined ? model.options.cache : option, model.table);
  return checked === false ? undefined : checked;
}
