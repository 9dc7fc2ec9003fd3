import { ConnectionError, type Database, QueryError, connect } from "@dotorm/core";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { FaultProxy } from "../fault-proxy.js";
import { suite } from "../harness.js";
import { makeModels } from "../models.js";
import type { ConformanceTarget, FaultLimits } from "../target.js";

/** Short limits, so a blackholed call fails in about a second and the suite stays fast. */
const limits: FaultLimits = { queryTimeout: 1000, acquireTimeout: 1000, statementTimeout: 400, max: 1 };
/** Slack for a loaded machine on top of a limit. */
const slack = 2500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Fault = "reset" | "blackhole";

/**
 * Fault injection on servers reached over TCP: a proxy of our own between the ORM and the server
 * resets or blackholes connections while each kind of call runs. Each call must fail with a typed
 * error within its limit, the process must survive (no unhandled error or rejection), the pool must
 * serve the next call, and nothing half-written may remain. In-process engines have no network to
 * break: the suite declares nothing for them.
 */
export function faults(target: ConformanceTarget) {
  if (!target.openVia || !target.address) return;
  const openVia = target.openVia.bind(target);
  const address = target.address;
  return suite("faults", target, (ctx) => {
    let proxy: FaultProxy;
    let db: Database;
    let models: ReturnType<typeof makeModels>;
    const unhandled: unknown[] = [];
    const record = (e: unknown) => unhandled.push(e);

    beforeAll(async () => {
      process.on("uncaughtException", record);
      process.on("unhandledRejection", record);
      proxy = await FaultProxy.start(address);
      // the same tables as the suite's models, reached through the proxy. One connection: idle
      // connections on a blackholed path would each wait for their own deadline (or keep-alive)
      // before the pool replaced them, and the tests assert the replacement.
      models = makeModels(ctx().prefix);
      db = await connect(openVia(ctx().namespace, proxy.port, limits), { models: [...models.models] });
    });
    afterEach(async () => {
      proxy.pass();
      // let late socket events land while the listeners still record them
      await sleep(50);
      expect(unhandled).toEqual([]);
    });
    afterAll(async () => {
      process.off("uncaughtException", record);
      process.off("unhandledRejection", record);
      await db?.close();
      await proxy?.close();
    });

    /** Rows with this prefix, read on the suite's direct (unproxied) connection. */
    const stored = async (prefix: string) => {
      const { Role } = ctx();
      return Role.count({ filter: [["code", "=like", `${prefix}%`]] });
    };

    /**
     * Runs `call` while `fault` hits: a blackhole makes it wait for its queryTimeout; a reset while
     * it waits ends it at once. Asserts a typed ConnectionError within the limit, then that the
     * pool serves the next call.
     */
    async function expectFault(
      fault: Fault,
      call: () => Promise<unknown>,
      trigger: "before" | "inside" = "before",
    ): Promise<ConnectionError> {
      if (trigger === "before") proxy.blackhole();
      const started = performance.now();
      const pending = call().then(
        () => undefined,
        (e: unknown) => e,
      );
      if (fault === "reset" && trigger === "before") {
        await sleep(100);
        proxy.reset();
      }
      const err = await pending;
      const elapsed = performance.now() - started;
      expect(err).toBeInstanceOf(ConnectionError);
      expect(elapsed).toBeLessThan((fault === "reset" ? 0 : limits.queryTimeout) + slack);
      if (fault === "blackhole" && trigger === "before")
        expect((err as Error).message).toMatch(/queryTimeout \(1000 ms\)/);
      proxy.pass();
      // the pool serves the next call, and it reads what a connection without the proxy reads
      expect(await models.Role.count()).toBe(await ctx().Role.count());
      return err as ConnectionError;
    }

    for (const fault of ["reset", "blackhole"] as const) {
      test(`read through a ${fault}: typed error, the pool serves the next call`, async () => {
        await expectFault(fault, () => models.Role.search({ fields: ["code"] }));
      });

      test(`write through a ${fault}: typed error, nothing written`, async () => {
        await expectFault(fault, () => models.Role.create({ code: `w-${fault}` }));
        expect(await stored(`w-${fault}`)).toBe(0);
      });

      test(`transaction through a ${fault}: typed error, rolled back`, async () => {
        await expectFault(
          fault,
          () =>
            db.transaction(async () => {
              await models.Role.create({ code: `tx-${fault}-1` });
              fault === "reset" ? proxy.reset() : proxy.blackhole();
              await models.Role.create({ code: `tx-${fault}-2` });
            }),
          "inside",
        );
        expect(await stored(`tx-${fault}-`)).toBe(0);
      });

      test(`stream through a ${fault}: the loop ends with a typed error`, async () => {
        const { Role } = ctx();
        // more than the socket buffers hold, so the fault reaches rows not yet received
        const total = 20_000;
        const name = "n".repeat(250);
        await Role.createMany(
          Array.from({ length: total }, (_, i) => ({ code: `st-${fault}-${String(i).padStart(5, "0")}`, name })),
        );
        let seen = 0;
        await expectFault(
          fault,
          async () => {
            for await (const _ of models.Role.query()
              .where([["code", "=like", `st-${fault}-%`]])
              .stream({ batchSize: 200 })) {
              if (++seen === 200) fault === "reset" ? proxy.reset() : proxy.blackhole();
            }
          },
          "inside",
        );
        expect(seen).toBeLessThan(total);
      });

      test(`createMany through a ${fault}: typed error, no row of it remains`, async () => {
        async function* rows() {
          for (let i = 0; i < 10_050; i++) {
            if (i === 10_010) fault === "reset" ? proxy.reset() : proxy.blackhole();
            yield { code: `cm-${fault}-${i}` };
          }
        }
        await expectFault(fault, () => models.Role.createMany(rows()), "inside");
        expect(await stored(`cm-${fault}-`)).toBe(0);
      });
    }

    test("db.withTimeout ends a call in flight at its own, earlier deadline", async () => {
      proxy.blackhole();
      const started = performance.now();
      const err = await db.withTimeout(300, () => models.Role.count()).catch((e: unknown) => e);
      const elapsed = performance.now() - started;
      proxy.pass();
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toMatch(/db\.withTimeout\(300\)/);
      expect(elapsed).toBeLessThan(limits.queryTimeout);
      // the pool serves the next call, and it reads what a connection without the proxy reads
      expect(await models.Role.count()).toBe(await ctx().Role.count());
    });

    test("a call's own timeout option (and a query set's timeout()) ends it at that deadline, naming it", async () => {
      const calls: [string, () => Promise<unknown>][] = [
        ["count", () => models.Role.count({ timeout: 300 })],
        ["search", () => models.Role.search({ fields: ["code"], timeout: 300 })],
        ["get", () => models.Role.get(1, { timeout: 300 })],
        ["updateMany", () => models.Role.updateMany([["code", "=", "none"]], { name: "x" }, { timeout: 300 })],
        ["query set", () => models.Role.query().timeout(300).first()],
        [
          "grouped",
          () =>
            models.Role.query()
              .timeout(300)
              .groupBy("name")
              .aggregate({ n: ["id", "count"] }),
        ],
      ];
      for (const [name, call] of calls) {
        proxy.blackhole();
        const started = performance.now();
        const err = await call().catch((e: unknown) => e);
        const elapsed = performance.now() - started;
        proxy.pass();
        expect(err, name).toBeInstanceOf(ConnectionError);
        expect((err as Error).message, name).toMatch(/the call's timeout \(300 ms\)/);
        expect(elapsed, name).toBeLessThan(limits.queryTimeout);
        expect(await models.Role.count(), name).toBe(await ctx().Role.count());
      }
    });

    test("a statement longer than statementTimeout is cancelled by the server with a QueryError naming it", async () => {
      const sql = target.sleepStatement?.(2);
      expect(sql).toBeDefined();
      const strings = Object.assign([sql as string], { raw: [sql as string] }) as TemplateStringsArray;
      const started = performance.now();
      const err = await db.sql(strings).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueryError);
      expect((err as Error).message).toMatch(/statementTimeout \(400 ms\)/);
      expect(performance.now() - started).toBeLessThan(limits.queryTimeout);
      // the pool serves the next call, and it reads what a connection without the proxy reads
      expect(await models.Role.count()).toBe(await ctx().Role.count());
    });

    test("a pool kept busy fails the next acquire with a ConnectionError naming acquireTimeout", async () => {
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      const holders = Array.from({ length: limits.max }, () => db.transaction(() => held));
      await sleep(100);
      const started = performance.now();
      const err = await models.Role.count().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toMatch(/acquireTimeout \(1000 ms\)/);
      expect(performance.now() - started).toBeLessThan(limits.acquireTimeout + slack);
      // a transaction waits for its connection the same way (its BEGIN is never sent), and a caller's
      // earlier deadline ends the wait sooner, naming that deadline
      const tx = await db.transaction(() => models.Role.count()).catch((e: unknown) => e);
      expect(tx).toBeInstanceOf(ConnectionError);
      expect((tx as Error).message).toMatch(/acquireTimeout \(1000 ms\)/);
      const soon = performance.now();
      const timed = await db.withTimeout(200, () => db.transaction(() => models.Role.count())).catch((e: unknown) => e);
      expect(timed).toBeInstanceOf(ConnectionError);
      expect((timed as Error).message).not.toMatch(/acquireTimeout/);
      expect(performance.now() - soon).toBeLessThan(limits.acquireTimeout);
      release();
      await Promise.all(holders);
      // the pool serves the next call, and it reads what a connection without the proxy reads
      expect(await models.Role.count()).toBe(await ctx().Role.count());
    });
  });
}
