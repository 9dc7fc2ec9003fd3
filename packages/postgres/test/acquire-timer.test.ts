import { createHook } from "node:async_hooks";
import { ConnectionError, type DriverConnection } from "@dotorm/core";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { PgDriver } from "../src/pg-driver.js";
import { pgUrl } from "./targets.js";

/**
 * Every wait for a connection of the pool is bounded by acquireTimeout on one timer per pool
 * (src/acquire-timer.ts), not pg-pool's timer per checkout: each wait still gets the whole limit
 * from its own start, a wait past it fails with a ConnectionError, the connection that reaches it
 * later goes back to the pool, and a checkout from a pool with an idle connection sets no timer.
 */
const drivers: PgDriver[] = [];
const driver = (acquireTimeout: number, max = 1) => {
  const d = new PgDriver({ url: pgUrl, max, acquireTimeout });
  drivers.push(d);
  return d;
};
afterAll(() => Promise.all(drivers.map((d) => d.close())));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = (d: PgDriver) =>
  d.execute({ sql: "select count(*)::int as n from pg_class where relname = $1", params: ["x"] });
const settled = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ value, at: performance.now() }),
    (error: unknown) => ({ error, at: performance.now() }),
  );
const pid = async (c: DriverConnection) =>
  (await c.execute({ sql: "select pg_backend_pid() as pid", params: [] })).rows[0]?.pid as number;

describe("the bound on a wait for a connection, on one timer per pool", () => {
  test("a burst of waits past acquireTimeout fails each with a ConnectionError; the pool serves the next call", async () => {
    const d = driver(300);
    const held = await d.acquire();
    const started = performance.now();
    const burst = await Promise.all(Array.from({ length: 3000 }, () => settled(count(d))));
    for (const r of burst) {
      expect((r as { error: unknown }).error).toBeInstanceOf(ConnectionError);
      expect((r as { error: Error }).error.message).toMatch(/acquireTimeout \(300 ms\)/);
    }
    const last = Math.max(...burst.map((r) => r.at)) - started;
    expect(last).toBeGreaterThanOrEqual(295);
    expect(last).toBeLessThan(2000);
    // pg-pool still queues the 3,000 expired callers: releasing hands the connection down their
    // line (on microtasks, not one stack) and it comes back to the pool
    held.release();
    expect((await count(d)).rows).toEqual([{ n: 0 }]);
    expect(d.pool.waitingCount).toBe(0);
    expect(d.pool.totalCount).toBe(1);
    expect(d.pool.idleCount).toBe(1);
  });

  test("each wait gets the whole limit from its own start, not from the first wait's", async () => {
    const d = driver(400);
    const held = await d.acquire();
    const start = performance.now();
    const first = settled(count(d));
    await sleep(200);
    const second = settled(count(d));
    const a = await first;
    // the second wait is still pending when the first expires
    const whenFirst = performance.now();
    expect((a as { error: unknown }).error).toBeInstanceOf(ConnectionError);
    const b = await second;
    expect((b as { error: unknown }).error).toBeInstanceOf(ConnectionError);
    expect(a.at - start).toBeGreaterThanOrEqual(395);
    expect(b.at - start).toBeGreaterThanOrEqual(595);
    expect(b.at).toBeGreaterThan(whenFirst + 150);
    held.release();
  });

  test("a wait served before its deadline is never failed by the timer", async () => {
    const d = driver(200);
    const held = await d.acquire();
    const waiting = settled(count(d));
    await sleep(100);
    held.release();
    expect(await waiting).toMatchObject({ value: { rows: [{ n: 0 }] } });
    // calls in a row, over several firings of the pool's timer, all succeed
    const until = performance.now() + 700;
    let calls = 0;
    while (performance.now() < until) {
      await Promise.all([count(d), count(d), count(d)]);
      calls += 3;
    }
    expect(calls).toBeGreaterThan(3);
  });

  test("a killed backend: its caller fails, the waits behind it get a new connection within the limit", async () => {
    const d = driver(2000);
    const held = await d.acquire();
    const victim = await pid(held);
    const waits = Array.from({ length: 5 }, () => settled(count(d)));
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    try {
      await admin.query("select pg_terminate_backend($1)", [victim]);
    } finally {
      await admin.end();
    }
    const err = await held.execute({ sql: "select 1", params: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    held.release();
    for (const r of await Promise.all(waits)) expect(r).toMatchObject({ value: { rows: [{ n: 0 }] } });
    const again = await d.acquire();
    expect(await pid(again)).not.toBe(victim);
    again.release();
  });

  test("a checkout of an idle connection sets no timer of its own", async () => {
    const d = driver(10_000, 2);
    await count(d);
    const timers: string[] = [];
    const hook = createHook({ init: (_id, type) => void (type === "Timeout" && timers.push(type)) });
    hook.enable();
    try {
      for (let i = 0; i < 20; i++) await count(d);
    } finally {
      hook.disable();
    }
    // pg-pool's idle timer on each release, and nothing per checkout (it was two per call before)
    expect(timers.length).toBeLessThanOrEqual(20);
  });
});
