import { LRUCache } from "lru-cache";

/**
 * A bounded, short-lived map from a session token's hash to what the sessions table said about it,
 * so that a request does not read its session and its user's roles again when the same token was
 * looked up a moment ago: an `lru-cache` whose entries live `ttlMs` at most, and never up to the
 * session's own expiry; the least recently used one is dropped when `max` are held. Only found
 * sessions are kept.
 *
 * Every removal (`delete`, `deleteWhere`, `clear`) also starts a new generation: a lookup that
 * started before it may have read the database before the change, so {@link SessionCache.set}
 * refuses what such a lookup brings back ({@link SessionCache.generation} taken before the read).
 *
 * @example
 * const cache = new SessionCache<CrmSession>(5_000, 10_000);
 * const generation = cache.generation; // before reading the database
 * cache.set(hash, session, expiresAt, generation);
 */
export class SessionCache<V extends {}> {
  /** Absent when the cache is off (a ttl or size of 0). */
  private readonly entries: LRUCache<string, V> | undefined;
  private gen = 0;

  constructor(
    private readonly ttlMs: number,
    max: number,
    private readonly now: () => number = Date.now,
  ) {
    this.entries =
      ttlMs > 0 && max > 0
        ? // ttlResolution 0: the clock is read on every check (no time cached between calls)
          new LRUCache<string, V>({ max, ttl: ttlMs, ttlResolution: 0, perf: { now } })
        : undefined;
  }

  /** The current generation: take it before reading the database, give it back to `set`. */
  get generation(): number {
    return this.gen;
  }

  /** How many entries are held (expired ones included until they are looked up or evicted). */
  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** The value kept for `key`, unless it expired (then it is dropped). */
  get(key: string): V | undefined {
    return this.entries?.get(key);
  }

  /** How long the entry of `key` has left (ms; 0 when there is none). */
  remaining(key: string): number {
    return Math.max(0, this.entries?.getRemainingTTL(key) ?? 0);
  }

  /**
   * Keeps `value` for `key` until `ttlMs` from now or `expiresAt`, whichever is first; nothing is
   * kept when the cache is off, the value expires within a millisecond, or anything was removed
   * since `generation` was taken.
   */
  set(key: string, value: V, expiresAt: number, generation: number): void {
    if (!this.entries || generation !== this.gen) return;
    // lru-cache drops an entry once its age exceeds its ttl: one millisecond less makes it gone at
    // `expiresAt` itself, when the sessions table no longer finds the session either
    const ttl = Math.min(this.ttlMs, expiresAt - this.now()) - 1;
    if (ttl < 1) return;
    this.entries.set(key, value, { ttl });
  }

  /** Forgets `key`. */
  delete(key: string): void {
    this.gen++;
    this.entries?.delete(key);
  }

  /** Forgets every entry whose value matches. */
  deleteWhere(match: (value: V) => boolean): void {
    this.gen++;
    if (!this.entries) return;
    const keys = [...this.entries.entries()].filter(([, value]) => match(value)).map(([key]) => key);
    for (const key of keys) this.entries.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.gen++;
    this.entries?.clear();
  }
}
