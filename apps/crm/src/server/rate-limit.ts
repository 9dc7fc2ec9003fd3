/**
 * Counts attempts per key in a sliding window (in memory, one process). Keys are evicted when
 * their window has passed; the map is bounded so a flood of distinct keys cannot exhaust memory.
 *
 * @example
 * const limiter = new RateLimiter(10, 60_000);
 * if (!limiter.hit(`ip:${ip}`)) return c.json(..., 429);
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly maxKeys = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an attempt; false when the key already had `limit` attempts within the window. */
  hit(key: string): boolean {
    const t = this.now();
    const recent = (this.hits.get(key) ?? []).filter((at) => t - at < this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return false;
    }
    recent.push(t);
    this.hits.delete(key); // re-inserted last: the map's order is least recently used first
    this.hits.set(key, recent);
    if (this.hits.size > this.maxKeys) this.evict(t);
    return true;
  }

  /** Seconds until `key` may try again (0 when it may now). */
  retryAfter(key: string): number {
    const recent = (this.hits.get(key) ?? []).filter((at) => this.now() - at < this.windowMs);
    if (recent.length < this.limit) return 0;
    return Math.max(1, Math.ceil(((recent[0] as number) + this.windowMs - this.now()) / 1000));
  }

  private evict(t: number): void {
    for (const [key, times] of this.hits) {
      if (this.hits.size <= this.maxKeys) break;
      if (times.every((at) => t - at >= this.windowMs) || this.hits.size > this.maxKeys) this.hits.delete(key);
    }
  }
}
