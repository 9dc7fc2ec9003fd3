import { DotormError, QueryError, UnsupportedError } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Row locks: `qs.forUpdate({ skipLocked?, noWait? })` inside a transaction. */
export function querysetLocks(target: ConformanceTarget) {
  return suite("queryset locks", target, (ctx) => {
    test("forUpdate locks inside a transaction only; options are checked; UnsupportedError without row locks", async () => {
      const { db, Role } = ctx();
      await Role.createMany([{ code: "fu-1" }, { code: "fu-2" }]);
      const qs = Role.query().filter({ code__startswith: "fu-" }).orderBy("code");
      if (db.adapter.capabilities.rowLocks !== true) {
        await expect(qs.forUpdate().all()).rejects.toBeInstanceOf(UnsupportedError);
        await expect(qs.forUpdate({ skipLocked: true }).first()).rejects.toBeInstanceOf(UnsupportedError);
        return;
      }
      await expect(qs.forUpdate().all()).rejects.toThrow(/inside db\.transaction/);
      await expect(qs.forUpdate().first()).rejects.toBeInstanceOf(QueryError);
      expect(() => qs.forUpdate({ skipLocked: true, noWait: true })).toThrow(QueryError);
      expect(() => qs.forUpdate({ skipLocked: "yes" } as never)).toThrow(QueryError);
      expect(() => qs.forUpdate({ wait: 5 } as never)).toThrow(QueryError);
      const { result, statements } = await ctx().record(() =>
        db.transaction(
          async () =>
            [
              await qs.forUpdate(),
              await qs.forUpdate({ skipLocked: true }).first(),
              await qs.forUpdate({ noWait: true }).values("code"),
            ] as const,
        ),
      );
      expect(result[0].map((r) => r.code)).toEqual(["fu-1", "fu-2"]);
      expect(result[1]?.code).toBe("fu-1");
      expect(result[2]).toEqual([expect.objectContaining({ code: "fu-1" }), expect.objectContaining({ code: "fu-2" })]);
      expect(statements.filter((s) => /FOR UPDATE/i.test(s.sql))).toHaveLength(3);
    });

    // PGlite is one connection: a second transaction queues behind the first, so lock contention
    // between two connections is tested where there are two (PostgreSQL server, MariaDB).
    if (target.name !== "pglite") {
      test("skipLocked skips a row another transaction holds, noWait fails at once, a plain lock waits", async () => {
        const { db, Role } = ctx();
        if (db.adapter.capabilities.rowLocks !== true)
          return expect(Role.query().forUpdate().first()).rejects.toBeInstanceOf(UnsupportedError);
        const ids = await Role.createMany([{ code: "lk-1" }, { code: "lk-2" }, { code: "lk-3" }]);
        const qs = Role.query().filter({ code__startswith: "lk-" }).orderBy("id");
        let release = () => {};
        const held = new Promise<void>((r) => {
          release = r;
        });
        let took = (_: number) => {};
        const taken = new Promise<number>((r) => {
          took = r;
        });
        const holder = db.transaction(async () => {
          took(((await qs.forUpdate().first()) as { id: number }).id);
          await held;
        });
        try {
          expect(await taken).toBe(ids[0]);
          expect((await db.transaction(() => qs.forUpdate({ skipLocked: true }).first()))?.id).toBe(ids[1]);
          expect(
            (await db.transaction(() => qs.forUpdate({ skipLocked: true }).limit(5).all())).map((r) => r.id),
          ).toEqual([ids[1], ids[2]]);
          const start = Date.now();
          await expect(db.transaction(() => qs.forUpdate({ noWait: true }).first())).rejects.toBeInstanceOf(
            DotormError,
          );
          expect(Date.now() - start).toBeLessThan(5000);
          let done = false;
          const waiter = db.transaction(async () => {
            const row = await qs.forUpdate().first();
            done = true;
            return row;
          });
          await new Promise((r) => setTimeout(r, 400));
          expect(done).toBe(false);
          release();
          await holder;
          expect((await waiter)?.id).toBe(ids[0]);
        } finally {
          release();
          await holder.catch(() => undefined);
        }
      });

      test("read-modify-write under forUpdate loses no update between concurrent transactions", async () => {
        const { db, Thing } = ctx();
        if (db.adapter.capabilities.rowLocks !== true)
          return expect(Thing.query().forUpdate().first()).rejects.toBeInstanceOf(UnsupportedError);
        const id = (await Thing.create({ label: "rmw", count: 0 })) as number;
        const bump = () =>
          db.transaction(async () => {
            const row = (await Thing.query().filter({ id }).forUpdate().first()) as { count: number | null };
            await new Promise((r) => setTimeout(r, 50));
            await Thing.query()
              .filter({ id })
              .update({ count: (row.count ?? 0) + 1 });
          });
        await Promise.all([bump(), bump(), bump(), bump()]);
        expect((await Thing.get(id)).count).toBe(4);
      });
    }
  });
}
