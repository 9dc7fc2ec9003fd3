/** What the query cache keeps per entry besides the value. */
export interface CacheEntryInfo {
  /** Milliseconds the entry may be served. */
  readonly ttlMs: number;
  /** Tables the statement read: a write to any of them drops the entry. */
  readonly tables: readonly string[];
}

/**
 * Where the query cache keeps results: the in-memory LRU (`memoryStore`, the default) or a shared
 * one such as Redis (`redisStore`). Values are opaque bytes. `invalidate` must drop every entry
 * tagged with one of the tables; a shared store tells the other processes through `onInvalidate`.
 *
 * @example
 * const store: CacheStore = { get: (k) => map.get(k), set: (k, v) => void map.set(k, v), invalidate: () => map.clear() };
 */
export interface CacheStore {
  get(key: string): Uint8Array | undefined | Promise<Uint8Array | undefined | null>;
  set(key: string, value: Uint8Array, info: CacheEntryInfo): void | Promise<void>;
  invalidate(tables: readonly string[]): void | Promise<void>;
  /** Called with the tables another process wrote (shared stores only). */
  onInvalidate?(listener: (tables: readonly string[]) => void): void;
}
