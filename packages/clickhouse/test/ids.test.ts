import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createClient } from "@clickhouse/client";
import { connect, f, model } from "@dotorm/core";
import { createChdbConnection } from "chdb/connection";
import { afterAll, describe, expect, test } from "vitest";
import { CLAIMS_TABLE, type Claim, type ClaimStore, ClickHouseClaimStore, IdLease, clickhouse } from "../src/index.js";

const run = promisify(execFile);
const writer = fileURLToPath(new URL("./fixtures/id-writer.ts", import.meta.url));
const EPOCH_S = 1_704_067_200;

/** Asserts that no two [lo, hi) ranges overlap. */
function expectDisjoint(ranges: { lo: number; hi: number }[]): void {
  const sorted = [...ranges].sort((a, b) => a.lo - b.lo);
  for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.lo).toBeGreaterThanOrEqual(sorted[i - 1]!.hi);
}

/**
 * An in-memory store with the one property the lease relies on (reads see completed inserts), an
 * optional deduplication, and a yield between every step so concurrent claims interleave.
 */
class MemoryStore implements ClaimStore {
  rows: Claim[] = [];
  constructor(private readonly dedup: boolean) {}
  private tick = () => new Promise((r) => setImmediate(r));
  async head() {
    await this.tick();
    return {
      seq: Math.max(0, ...this.rows.map((r) => r.seq)),
      hi: Math.max(0, ...this.rows.map((r) => r.hi)),
      nowMs: Date.now(),
    };
  }
  async insert(claim: Claim) {
    await this.tick();
    if (!(this.dedup && this.rows.some((r) => r.seq === claim.seq))) this.rows.push(claim);
  }
  async read(seq: number) {
    await this.tick();
    return this.rows.filter((r) => r.seq === seq);
  }
}

describe("id lease: the protocol", () => {
  test.each([true, false])("40 concurrent claimers get disjoint ranges (store deduplicates: %s)", async (dedup) => {
    const store = new MemoryStore(dedup);
    const leases = Array.from({ length: 40 }, () => new IdLease(store, { attempts: 1000 }));
    const ranges = await Promise.all(leases.map((l, i) => l.claim(1 + i)));
    expectDisjoint(ranges);
    for (const [i, r] of ranges.entries()) expect(r.hi - r.lo).toBe(1 + i);
    // every won range is stored as the only claim under its number
    for (const r of ranges) expect(store.rows.filter((c) => c.lo === r.lo && c.hi === r.hi)).toHaveLength(1);
  });

  test("a claimer reading the same head as another loses when it reads back both claims", async () => {
    const store = new MemoryStore(false);
    const now = Date.now();
    // two claims under number 1 already stored: whoever reads back sees two and must not win
    store.rows.push({ seq: 1, lo: 10, hi: 20, owner: "x" }, { seq: 1, lo: 10, hi: 20, owner: "y" });
    const lease = new IdLease(store, { now: () => now });
    const r = await lease.claim(5);
    expect(r.lo).toBeGreaterThanOrEqual(20);
    expect(store.rows.filter((c) => c.seq === 2)).toHaveLength(1);
  });

  test("ids are safe, increasing, carry the claim's second, and a range older than maxAgeMs is not used", async () => {
    let now = Date.now();
    const store = new MemoryStore(true);
    const lease = new IdLease(store, { now: () => now, minBlock: 100 });
    const a = await lease.nextIds(10);
    const b = await lease.nextIds(10);
    expect(lease.claims).toBe(1);
    now += 1500;
    const c = await lease.nextIds(1);
    expect(lease.claims).toBe(2);
    const all = [...a, ...b, ...c];
    for (let i = 1; i < all.length; i++) expect(all[i]!).toBeGreaterThan(all[i - 1]!);
    expect(all.every((id) => Number.isSafeInteger(id) && id > 0)).toBe(true);
    expect(Math.abs(Math.floor(all[0]! / 2 ** 22) + EPOCH_S - Date.now() / 1000)).toBeLessThan(5);
    // a request larger than the block claims exactly what it needs
    const big = await lease.nextIds(1000);
    expect(big[999]! - big[0]!).toBe(999);
    // used up while fresh: the next claim doubles (1000 -> 2000), so two more calls of 1000 claim once
    const before = lease.claims;
    await lease.nextIds(1000);
    await lease.nextIds(1000);
    expect(lease.claims - before).toBe(1);
  });

  test("claims fail loudly rather than pass 2^53", async () => {
    const store = new MemoryStore(true);
    store.rows.push({ seq: 1, lo: 0, hi: Number.MAX_SAFE_INTEGER - 10, owner: "x" });
    await expect(new IdLease(store).claim(100)).rejects.toThrow(/2\^53/);
  });
});

describe("id lease on chDB", () => {
  const dir = mkdtempSync(join(tmpdir(), "dotorm-ids-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  type Conn = NonNullable<Parameters<typeof createClient>[0]>["connection"];

  test("the claims table deduplicates a second insert of one claim number (the first stays)", async () => {
    const client = createClient({ connection: createChdbConnection({ path: dir }) as unknown as Conn });
    await client.command({ query: "CREATE DATABASE IF NOT EXISTS dedup" });
    await client.command({ query: "USE dedup" });
    const store = new ClickHouseClaimStore(Promise.resolve(client));
    await store.insert({ seq: 7, lo: 1, hi: 2, owner: "first" });
    await store.insert({ seq: 7, lo: 3, hi: 4, owner: "second" });
    expect(await store.read(7)).toEqual([{ seq: 7, lo: 1, hi: 2, owner: "first" }]);
    expect((await store.head()).seq).toBe(7);
    await client.close();
  });

  test("12 leases claiming concurrently on one engine get disjoint ranges", async () => {
    const client = createClient({ connection: createChdbConnection({ path: dir }) as unknown as Conn });
    await client.command({ query: "CREATE DATABASE IF NOT EXISTS race" });
    await client.command({ query: "USE race" });
    const store = new ClickHouseClaimStore(Promise.resolve(client));
    const leases = Array.from({ length: 12 }, () => new IdLease(store));
    const ranges = (
      await Promise.all(leases.map(async (l) => [await l.claim(10), await l.claim(10), await l.claim(10)]))
    ).flat();
    expectDisjoint(ranges);
    const rows = await (
      await client.query({
        query: `SELECT seq, count() AS n FROM \`${CLAIMS_TABLE}\` GROUP BY seq HAVING n > 1`,
        format: "JSONEachRow",
      })
    ).json();
    expect(rows).toEqual([]);
    await client.close();
  });

  test("6 adapters writing concurrently into one table never share an id, each in increasing order", async () => {
    // one model class per adapter (a model binds to one connection), all on one table
    const rows = Array.from({ length: 6 }, () => model("race_rows", { writer: f.integer({ required: true }) }));
    const dbs = await Promise.all(
      rows.map((Row) => connect(clickhouse({ embedded: dir, database: "writers" }), { models: [Row] })),
    );
    await dbs[0]!.sync();
    const got = await Promise.all(
      rows.map(async (R, w) => {
        const ids: number[] = [];
        for (let i = 0; i < 4; i++) {
          ids.push(...(await R.createMany(Array.from({ length: 300 }, () => ({ writer: w })))));
          ids.push(await R.create({ writer: w }), await R.create({ writer: w }));
        }
        return ids;
      }),
    );
    for (const ids of got) for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
    const all = got.flat();
    expect(new Set(all).size).toBe(all.length);
    const [stored] = await dbs[0]!.sql`select count() as n, uniqExact(id) as u from ${dbs[0]!.sql.id("race_rows")}`;
    expect(Number(stored?.n)).toBe(all.length);
    expect(Number(stored?.u)).toBe(all.length);
    await Promise.all(dbs.map((db) => db.close()));
  });
});

describe("id lease across processes on one chDB directory", () => {
  test("chDB refuses a second process on a directory in use, so writer processes take turns; their ids never repeat and grow", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dotorm-ids-proc-"));
    try {
      const spawn = (label: string) =>
        run(process.execPath, ["--import", "tsx", writer, dir, "procs", label], {
          cwd: fileURLToPath(new URL("..", import.meta.url)),
          encoding: "utf8",
        });
      // Started together: one holds the directory, the others fail on chDB's lock (not silently share it).
      const together = await Promise.allSettled([spawn("a"), spawn("b"), spawn("c")]);
      const ok = together.filter((r) => r.status === "fulfilled");
      const refused = together.filter((r) => r.status === "rejected");
      expect(ok.length).toBeGreaterThanOrEqual(1);
      for (const r of refused)
        expect(String((r as PromiseRejectedResult).reason?.stderr ?? r)).toMatch(
          /Cannot lock file|Another server instance|Failed to create connection/,
        );
      // Several may succeed when one finishes before another starts; they ran in turn, in an order
      // the labels do not tell: ordered by their ids, each must lie wholly above the one before.
      const runs = ok
        .map(
          (r) =>
            JSON.parse(
              (r as PromiseFulfilledResult<{ stdout: string }>).value.stdout.trim().split("\n").pop() as string,
            ) as { ids: number[] },
        )
        .sort((x, y) => Math.min(...x.ids) - Math.min(...y.ids));
      // Then one after another: each restart continues above every id taken before it.
      for (const label of ["d", "e", "f"]) {
        const { stdout } = await spawn(label);
        runs.push(JSON.parse(stdout.trim().split("\n").pop() as string));
      }
      const all = runs.flatMap((r) => r.ids);
      expect(all.length).toBe(runs.length * 1515);
      expect(new Set(all).size).toBe(all.length);
      for (let i = 1; i < runs.length; i++)
        expect(Math.min(...runs[i]!.ids)).toBeGreaterThan(Math.max(...runs[i - 1]!.ids));
      expect(all.every((id) => Number.isSafeInteger(id))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
