import { LRUCache } from "lru-cache";
import { ConfigurationError } from "../errors.js";
import type { CacheStore } from "./cache-store.js";

/** Bounds of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Most entries kept (default 10,000). */
  readonly maxEntries?: number;
  /** Most bytes of cached results kept (default 64 MiB). */
  readonly maxBytes?: number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1)
    throw new ConfigurationError(`memoryStore({ ${name} }) takes a positive integer, got ${String(value)}`);
  return v;
}

/**
 * The default query cache store: an LRU in this process (`lru-cache`), bounded by entries and by
 * bytes, each entry expiring after its ttl, and tagged with the tables it read.
 *
 * @example
 * const db = await connect(adapter, { models, cache: { store: memoryStore({ maxEntries: 5000, maxBytes: 32 * 2 ** 20 }) } });
 */
export function memoryStore(options: MemoryStoreOptions = {}): CacheStore {
  const byTable = new Map<string, Set<string>>();
  const tablesOf = new Map<string, readonly string[]>();
  const untag = (key: string) => {
    for (const t of tablesOf.get(key) ?? []) byTable.get(t)?.delete(key);
    tablesOf.delete(key);
  };
  const lru = new LRUCache<string, Uint8Array>({
    max: positive("maxEntries", options.maxEntries, 10_000),
    maxSize: positive("maxBytes", options.maxBytes, 64 * 2 ** 20),
    sizeCalculation: (v, k) => v.byteLength + k.length * 2 + 64,
    ttlAutopurge: false,
    dispose: (_v, key) => untag(key),
  });
  return {
    get: (key) => lru.get(key),
    set(key, value, { ttlMs, tables }) {
      if (value.byteLength + key.length * 2 + 64 > lru.maxSize) return;
      lru.set(key, value, { ttl: ttlMs });
      if (!lru.has(key)) return;
      tablesOf.set(key, tables);
      for (const t of tables) {
        let keys = byTable.get(t);
        if (!keys) byTable.set(t, (keys = new Set()));
        keys.add(key);
      }
    },
    invalidate(tables) {
      for (const t of tables) {
        const keys = byTable.get(t);
        if (!keys) continue;
        byTable.delete(t);
        for (const k of keys) lru.delete(k);
      }
    },
  };
}
