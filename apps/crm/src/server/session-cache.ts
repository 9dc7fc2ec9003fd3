/**
 * A bounded, short-lived map from a session token's hash to what the sessions table said about it,
 * so that a request does not read its session and its user's roles again when the same token was
 * looked up a moment ago. Entries live `ttlMs` at most, and never past the session's own expiry;
 * the least recently used one is dropped when `max` are held. Only found sessions are kept.
 *
 * Every removal (`delete`, `deleteWhere`, `clear`) also starts a new generation: a lookup that
 * started before it may have read the database before the change, so {@link SessionCache.set}
 * refuses what such a lookup brings back ({@link SessionCache.generation} taken before the read).
 */
export class SessionCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private gen = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current generation: take it before reading the database, give it back to `set`. */
  get generation(): number {
    return this.gen;
  }

  /** How many entries are held (expired ones included until they are looked up or evicted). */
  get size(): number {
    return this.entries.size;
  }

  /** The value kept for `key`, unless it expired (then it is dropped). */
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    if (this.now() >= hit.until) {
      this.entries.delete(key);
      return undefined;
    }
    // most recently used last: Map iterates in insertion order, so eviction takes the first
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  /**
   * Keeps `value` for `key` until `ttlMs` from now or `expiresAt`, whichever is first; nothing is
   * kept when the cache is off, the value is already expired, or anything was removed since
   * `generation` was taken.
   */
  set(key: string, value: V, expiresAt: number, generation: number): void {
    if (this.ttlMs <= 0 || this.max <= 0 || generation !== this.gen) return;
    const until = Math.min(this.now() + this.ttlMs, expiresAt);
    if (until <= this.now()) return;
    this.entries.delete(key);
    this.entries.set(key, { value, until });
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Forgets `key`. */
  delete(key: string): void {
    this.gen++;
    this.entries.delete(key);
  }

  /** Forgets every entry whose value matches. */
  deleteWhere(match: (value: V) => boolean): void {
    this.gen++;
    for (const [key, { value }] of this.entries) if (match(value)) this.entries.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.gen++;
    this.entries.clear();
  }
}
