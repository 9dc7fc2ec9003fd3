import {
  ConnectionError,
  type Database,
  type DriverConnection,
  TransactionConflict,
  TransactionError,
  UnsupportedError,
} from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

class Planned extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Counts how many statements a transaction's connection runs at once while `fn` runs, by wrapping
 * the connections the driver hands out (the engine itself is real).
 */
async function peakConcurrency<T>(db: Database, fn: () => Promise<T>): Promise<{ result: T; peak: number }> {
  type Acquire = (...a: unknown[]) => Promise<DriverConnection>;
  type AcquireWith = (options: unknown, done: (error: unknown, conn?: DriverConnection) => void) => void;
  const driver = db.adapter.driver as { acquire?: Acquire; acquireWith?: AcquireWith };
  const original = driver.acquire as Acquire;
  const originalWith = driver.acquireWith;
  let inFlight = 0;
  let peak = 0;
  const watch = (conn: DriverConnection): DriverConnection => {
    const execute = conn.execute.bind(conn);
    conn.execute = async (...a: Parameters<DriverConnection["execute"]>) => {
      peak = Math.max(peak, ++inFlight);
      try {
        return await execute(...a);
      } finally {
        inFlight--;
      }
    };
    // the callback form, which core uses where the driver has it
    const executeWith = conn.executeWith?.bind(conn);
    if (executeWith)
      conn.executeWith = (query, options, done) => {
        peak = Math.max(peak, ++inFlight);
        executeWith(query, options, (error, result) => {
          inFlight--;
          done(error, result);
        });
      };
    return conn;
  };
  driver.acquire = async (...args: unknown[]) => watch(await original.apply(db.adapter.driver, args));
  // the callback form of acquire, which core takes a transaction's connection with where the driver has it
  if (originalWith)
    driver.acquireWith = (options, done) =>
      originalWith.call(db.adapter.driver, options, (error, conn) => done(error, conn && watch(conn)));
  try {
    return { result: await fn(), peak };
  } finally {
    driver.acquire = original;
    if (originalWith) driver.acquireWith = originalWith;
  }
}

/**
 * Statements bound to the transaction that issued them: one connection used one statement at a
 * time, nothing run after the callback settled, resolution only when the database committed,
 * concurrent savepoints serialised, deadlines.
 */
export function transactionBinding(target: ConformanceTarget) {
  return suite("transaction binding", target, (ctx) => {
    async function supported(): Promise<boolean> {
      const { db, Role } = ctx();
      if (db.adapter.capabilities.transactions) return true;
      const err = await db.transaction(() => Role.create({ code: "never" })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedError);
      expect(await Role.count({ filter: [["code", "=", "never"]] })).toBe(0);
      return false;
    }

    const codes = async (prefix: string) => {
      const { Role } = ctx();
      return (await Role.search({ filter: [["code", "=like", `${prefix}%`]], fields: ["code"], order: "code" })).map(
        (r) => r.code,
      );
    };

    test("Promise.all of writes inside a transaction: one statement at a time on its connection, all committed", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      const warnings: Error[] = [];
      const onWarning = (w: Error) => warnings.push(w);
      process.on("warning", onWarning);
      try {
        const { peak } = await peakConcurrency(db, () =>
          db.transaction(() => Promise.all(Array.from({ length: 8 }, (_, i) => Role.create({ code: `pall-${i}` })))),
        );
        expect(peak).toBe(1);
      } finally {
        process.off("warning", onWarning);
      }
      expect(warnings.map((w) => w.message)).toEqual([]);
      expect(await codes("pall-")).toEqual(Array.from({ length: 8 }, (_, i) => `pall-${i}`));
    });

    test("a write issued after a failed Promise.all rejected the transaction is refused, not committed", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      let late: Promise<unknown> | undefined;
      const err = await db
        .transaction(() =>
          Promise.all([
            Role.create({ code: "pfail-first" }),
            (async () => {
              await sleep(5);
              throw new Planned("sibling failed");
            })(),
            (late = (async () => {
              await sleep(40);
              return Role.create({ code: "pfail-late" });
            })()),
          ]),
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Planned);
      const lateErr = await (late as Promise<unknown>).catch((e: unknown) => e);
      expect(lateErr).toBeInstanceOf(TransactionError);
      expect(lateErr).toMatchObject({ reason: "finished" });
      expect(await codes("pfail-")).toEqual([]);
    });

    test("a statement issued after its transaction committed never runs inside the next transaction", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      let leaked!: Promise<unknown>;
      await db.transaction(async () => {
        await Role.create({ code: "leak-own" });
        // started inside the transaction's context, runs after it ended
        // its outcome is captured at once: it settles while the test still awaits other things
        leaked = sleep(30)
          .then(() => Role.create({ code: "leak-late" }))
          .catch((e: unknown) => e);
      });
      const next = db
        .transaction(async () => {
          await Role.create({ code: "leak-next" });
          await sleep(80);
          throw new Planned("roll back the next transaction");
        })
        .catch((e: unknown) => e);
      const leakedErr = await leaked;
      expect(await next).toBeInstanceOf(Planned);
      expect(leakedErr).toBeInstanceOf(TransactionError);
      expect(leakedErr).toMatchObject({ reason: "finished" });
      expect(await codes("leak-")).toEqual(["leak-own"]);
    });

    test("transaction() resolves only if the database committed: an error caught inside it", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      await Role.create({ code: "caught-taken" });
      const outcome = await db
        .transaction(async () => {
          await Role.create({ code: "caught-before" });
          const dup = await Role.create({ code: "caught-taken" }).catch((e: unknown) => e);
          expect(dup).toMatchObject({ kind: "unique" });
          return "returned normally";
        })
        .then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
      if ("value" in outcome) {
        // the database kept the transaction (MySQL: a failed statement does not abort it): it committed
        expect(await codes("caught-")).toEqual(["caught-before", "caught-taken"]);
      } else {
        expect(outcome.error).toBeInstanceOf(TransactionError);
        expect(outcome.error).toMatchObject({ reason: "aborted" });
        expect(await codes("caught-")).toEqual(["caught-taken"]);
      }
    });

    test("a nested transaction that caught an error resolves only if its savepoint was kept; the outer one commits", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      await Role.create({ code: "spcaught-taken" });
      let inner: { value: unknown } | { error: unknown } | undefined;
      await db.transaction(async () => {
        await Role.create({ code: "spcaught-outer" });
        inner = await db
          .transaction(async () => {
            await Role.create({ code: "spcaught-inner" });
            await Role.create({ code: "spcaught-taken" }).catch((e: unknown) => e);
            return "returned normally";
          })
          .then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
        await Role.create({ code: "spcaught-after" });
      });
      if (inner && "value" in inner) {
        expect(await codes("spcaught-")).toEqual([
          "spcaught-after",
          "spcaught-inner",
          "spcaught-outer",
          "spcaught-taken",
        ]);
      } else {
        expect(inner?.error).toBeInstanceOf(TransactionError);
        expect(inner?.error).toMatchObject({ reason: "aborted" });
        expect(await codes("spcaught-")).toEqual(["spcaught-after", "spcaught-outer", "spcaught-taken"]);
      }
    });

    test("a deadlock caught inside a transaction: transaction() resolves only if its writes were committed", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      const [a, b] = (await Role.createMany([{ code: "dl-a" }, { code: "dl-b" }])) as [number, number];
      let ready = 0;
      let bothReady!: () => void;
      const barrier = new Promise<void>((r) => {
        bothReady = r;
      });
      const run = (tag: string, first: number, second: number) =>
        db.transaction(async () => {
          await Role.create({ code: `dl-mark-${tag}` });
          await Role.updateMany([first], { name: tag });
          if (++ready === 2) bothReady();
          // an engine with one session runs the transactions one after the other: no deadlock there
          await Promise.race([barrier, sleep(500)]);
          const err = await Role.updateMany([second], { name: tag }).catch((e: unknown) => e);
          // a deadlock is reported as what it is, so the caller knows to run the transaction again
          if (err instanceof Error && /deadlock/i.test(err.message)) expect(err).toBeInstanceOf(TransactionConflict);
          return err instanceof Error ? "caught" : "clean";
        });
      const results = await Promise.allSettled([run("t1", a, b), run("t2", b, a)]);
      const marks = await codes("dl-mark-");
      for (const [i, r] of results.entries()) {
        const mark = `dl-mark-t${i + 1}`;
        if (r.status === "fulfilled") expect(marks).toContain(mark);
        else {
          expect(r.reason).toBeInstanceOf(TransactionError);
          expect(r.reason).toMatchObject({ reason: "aborted" });
          expect(marks).not.toContain(mark);
        }
      }
      expect(results.some((r) => r.status === "fulfilled")).toBe(true);
    });

    test("concurrent nested transactions are serialised: one's rollback keeps the other's rows", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      const results = await db.transaction(async () => {
        await Role.create({ code: "csp-outer" });
        return Promise.allSettled([
          db.transaction(async () => {
            await Role.create({ code: "csp-a-1" });
            await sleep(20);
            await Role.create({ code: "csp-a-2" });
            throw new Planned("a rolls back");
          }),
          db.transaction(async () => {
            await Role.create({ code: "csp-b-1" });
            await sleep(5);
            await Role.create({ code: "csp-b-2" });
          }),
          Role.create({ code: "csp-sibling" }),
        ]);
      });
      expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
      expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(Planned);
      expect(await codes("csp-")).toEqual(["csp-b-1", "csp-b-2", "csp-outer", "csp-sibling"]);
    });

    test("a callback that returns while its nested transaction still runs rolls back with a TransactionError", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      let dangling!: Promise<unknown>;
      const err = await db
        .transaction(async () => {
          await Role.create({ code: "dangle-outer" });
          // its outcome is captured at once: it settles while the test still awaits the outer call
          dangling = db
            .transaction(async () => {
              await Role.create({ code: "dangle-inner" });
              await sleep(30);
              await Role.create({ code: "dangle-inner-2" });
            })
            .catch((e: unknown) => e);
          await sleep(5);
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransactionError);
      expect(err).toMatchObject({ reason: "unfinished-nested" });
      expect(await dangling).toMatchObject({ reason: "finished" });
      expect(await codes("dangle-")).toEqual([]);
    });

    test("a stream inside a transaction reads its uncommitted rows on its connection", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      const seen = await db.transaction(async () => {
        await Role.createMany(Array.from({ length: 5 }, (_, i) => ({ code: `strm-${i}` })));
        const codesSeen: string[] = [];
        for await (const role of Role.query()
          .where([["code", "=like", "strm-%"]])
          .orderBy("code")
          .stream({ batchSize: 2 }))
          codesSeen.push(role.code);
        await Role.create({ code: "strm-after" });
        return codesSeen;
      });
      expect(seen).toEqual(["strm-0", "strm-1", "strm-2", "strm-3", "strm-4"]);
      expect(await codes("strm-")).toHaveLength(6);
    });

    test("a transaction timeout stops its statements and rolls it back", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      const err = await db
        .transaction(
          async () => {
            await Role.create({ code: "ttl-first" });
            await sleep(120);
            await Role.create({ code: "ttl-second" });
          },
          { timeout: 60 },
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toMatch(/transaction timeout \(60 ms\)/);
      expect(await codes("ttl-")).toEqual([]);
      expect(await Role.create({ code: "ttl-after" })).toBeGreaterThan(0);
    });

    test("db.withTimeout bounds every statement started inside it", async () => {
      const { db, Role } = ctx();
      expect(await db.withTimeout(5000, () => Role.count())).toBe(await Role.count());
      const err = await db
        .withTimeout(30, async () => {
          await sleep(60);
          return Role.count();
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toMatch(/db\.withTimeout\(30\)/);
      await expect(db.withTimeout(-1, () => Role.count())).rejects.toMatchObject({ code: "CONFIGURATION_ERROR" });
    });
  });
}
