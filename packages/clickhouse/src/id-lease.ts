import { randomUUID } from "node:crypto";
import type { ClickHouseClient } from "@clickhouse/client";
import { ConfigurationError, ConnectionError } from "@dotorm/core";
import { CLAIMS_TABLE, LOST_INSERT, RETRY_READ, claimsSql } from "./claims-sql.js";

export { CLAIMS_TABLE };

/** 2024-01-01T00:00:00Z, the epoch of the id layout (shared with {@link IdGenerator}). */
const EPOCH_S = 1_704_067_200;
/** Ids per second of the time floor: `id >> 22` is the second (since 2024) of the claim, or later. */
const PER_SECOND = 2 ** 22;
const LIMIT = Number.MAX_SAFE_INTEGER + 1;

/** One stored claim: the range `[lo, hi)` of ids, taken by `owner` as claim number `seq`. */
export interface Claim {
  readonly seq: number;
  readonly lo: number;
  readonly hi: number;
  readonly owner: string;
}

/**
 * Where claims are written and read. The guarantee needs one thing of it: a read sees every claim
 * whose insert returned before the read started (true of one ClickHouse server and of chDB, and on
 * a cluster made true by quorum inserts and sequentially consistent reads: see claims-sql.ts).
 */
export interface ClaimStore {
  /** The highest claim number, the highest end, and the store's clock in milliseconds since 1970. */
  head(): Promise<{ seq: number; hi: number; nowMs: number }>;
  /** Appends a claim; a second claim with the same `seq` may be dropped by the store (deduplication). */
  insert(claim: Claim): Promise<void>;
  /** Every stored claim with this number. */
  read(seq: number): Promise<Claim[]>;
}

/**
 * {@link ClaimStore} on a ClickHouse table in the adapter's database; with `cluster`, a table
 * replicated to every node of it (claims-sql.ts says why no two servers lease the same block).
 */
export class ClickHouseClaimStore implements ClaimStore {
  private ready?: Promise<void>;
  private readonly sql: ReturnType<typeof claimsSql>;

  constructor(
    private readonly client: Promise<ClickHouseClient>,
    cluster?: string,
  ) {
    this.sql = claimsSql({ cluster });
  }

  private async c(): Promise<ClickHouseClient> {
    const client = await this.client;
    this.ready ??= client.command({ query: this.sql.create }).then(
      () => undefined,
      (e: unknown) => {
        this.ready = undefined;
        throw new ConfigurationError(
          `clickhouse: cannot create the id claims table ${CLAIMS_TABLE} (${(e as Error).message}); grant CREATE TABLE and INSERT on the database, or give clickhouse({ nodeId })`,
          { cause: e },
        );
      },
    );
    await this.ready;
    return client;
  }

  /** Rows of a claims read, retried while the replica asked lacks a quorum-written claim. */
  private async rows<T>(query: string): Promise<T[]> {
    const client = await this.c();
    for (let attempt = 0; ; attempt++) {
      try {
        return await (await client.query({ query, format: "JSONEachRow" })).json<T>();
      } catch (e) {
        if (attempt >= 50 || !RETRY_READ.has((e as { type?: string }).type ?? "")) throw e;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  async head() {
    const [row] = await this.rows<{ seq: number | string; hi: number | string; now: number | string }>(this.sql.head);
    return { seq: Number(row?.seq ?? 0), hi: Number(row?.hi ?? 0), nowMs: Number(row?.now ?? Date.now()) };
  }

  async insert(claim: Claim): Promise<void> {
    const client = await this.c();
    try {
      await client.command({ query: this.sql.insert(claim) });
    } catch (e) {
      // another claim's quorum write in flight, or ours not confirmed: the read-back decides who won
      if (!LOST_INSERT.has((e as { type?: string }).type ?? "")) throw e;
    }
  }

  async read(seq: number): Promise<Claim[]> {
    const rows = await this.rows<{ seq: number; lo: number; hi: number; owner: string }>(this.sql.read(seq));
    return rows.map((c) => ({ seq: Number(c.seq), lo: Number(c.lo), hi: Number(c.hi), owner: c.owner }));
  }
}

export interface IdLeaseOptions {
  /** Smallest range claimed at once (default 4,096): single creates then claim about once a second. */
  minBlock?: number;
  /** A writer that used up its range within `maxAgeMs` claims twice as much next time, up to this (default 262,144). */
  maxBlock?: number;
  /** A claimed range older than this is dropped rather than used (default 1,000 ms), so ids stay time-ordered across processes. */
  maxAgeMs?: number;
  /** Claim attempts before giving up (default 100). */
  attempts?: number;
  now?: () => number;
}

/**
 * Ids leased from the database in ranges, unique across every process writing to it, with no
 * configuration. A range is claimed by appending claim number `n` = highest + 1 with the range
 * `[lo, hi)` starting at or after the highest end seen (and at or after the time floor
 * `(seconds since 2024) * 2^22`), then reading claim `n` back: the range is ours only when our claim
 * is the only one stored under `n`.
 *
 * Why two processes never hold overlapping ranges: of two claims under one number, the second to be
 * inserted sees the first when it reads back, so it never wins; the winner may also see a later one
 * and give up (both retry), never both win. The store deduplicates inserts of one number (a
 * MergeTree insert token), so the later one is normally dropped and the winner goes through at the
 * first try. A claim `m > n` was computed from a head read after claim `n`'s winner was stored (every
 * claim under `n` came after the winner's), so its range starts at or after the winner's end.
 *
 * Ids are safe integers below 2^53, increasing within a process; across processes a range claimed
 * later lies above every range claimed before it, and no id is handed out from a range older than
 * `maxAgeMs`. The high bits are the claim's second since 2024 (later when the ranges run ahead of
 * the clock, beyond 4 million ids a second), so ids sort by time like the `nodeId` layout.
 */
export class IdLease {
  private next = 0;
  private end = 0;
  private claimedAt = Number.NEGATIVE_INFINITY;
  private lastSize = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly minBlock: number;
  private readonly maxBlock: number;
  private readonly maxAgeMs: number;
  private readonly attempts: number;
  private readonly now: () => number;
  /** Claims this lease made (for tests and diagnostics). */
  claims = 0;

  constructor(
    private readonly store: ClaimStore,
    options: IdLeaseOptions = {},
  ) {
    this.minBlock = options.minBlock ?? 4096;
    this.maxBlock = options.maxBlock ?? 2 ** 18;
    this.maxAgeMs = options.maxAgeMs ?? 1000;
    this.attempts = options.attempts ?? 100;
    this.now = options.now ?? Date.now;
  }

  /** `count` new ids, increasing; claims a new range when the current one is short or too old. */
  nextIds(count: number): Promise<number[]> {
    const run = this.queue.then(() => this.take(count));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async take(count: number): Promise<number[]> {
    const old = this.now() - this.claimedAt > this.maxAgeMs;
    if (old || this.end - this.next < count) {
      // a busy writer (range used up while fresh, e.g. createMany from a stream in chunks) claims more each time
      const size = Math.max(count, old ? this.minBlock : Math.min(2 * this.lastSize, this.maxBlock));
      const { lo, hi } = await this.claim(size);
      this.lastSize = size;
      this.next = lo;
      this.end = hi;
      this.claimedAt = this.now();
    }
    const ids = new Array<number>(count);
    for (let i = 0; i < count; i++) ids[i] = this.next + i;
    this.next += count;
    return ids;
  }

  /** Claims `size` ids; see the class comment for why no two processes get overlapping ranges. */
  async claim(size: number): Promise<{ lo: number; hi: number }> {
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const head = await this.store.head();
      const floor = (Math.floor(head.nowMs / 1000) - EPOCH_S) * PER_SECOND;
      const lo = Math.max(head.hi, floor, this.end);
      const hi = lo + size;
      if (hi > LIMIT)
        throw new ConfigurationError(
          `clickhouse: ids would pass 2^53 (${hi}); the id space of this database is exhausted`,
        );
      const mine: Claim = { seq: head.seq + 1, lo, hi, owner: randomUUID() };
      await this.store.insert(mine);
      const stored = await this.store.read(mine.seq);
      this.claims++;
      if (stored.length === 1 && stored[0]?.owner === mine.owner) return { lo, hi };
      // Lost the number to another writer: back off a little (randomly, so two losers separate) and retry.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
    }
    throw new ConnectionError(
      `clickhouse: could not claim ids after ${this.attempts} attempts (too many concurrent writers?)`,
    );
  }
}
