import { UnsupportedError } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

class Planned extends Error {}

/** db.transaction: commit, rollback, savepoints, isolation between concurrent async chains. */
export function transactions(target: ConformanceTarget) {
  return suite("transactions", target, (ctx) => {
    /** Whether this adapter has transactions; when not, asserts the refusal so the case is not silently skipped. */
    async function supported(): Promise<boolean> {
      const { db, Role } = ctx();
      if (db.adapter.capabilities.transactions) return true;
      const err = await db.transaction(() => Role.create({ code: "never" })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedError);
      expect(err).toMatchObject({ feature: "transaction", dialect: db.adapter.dialect });
      expect(await Role.count({ filter: [["code", "=", "never"]] })).toBe(0);
      return false;
    }

    const codes = async (prefix: string) => {
      const { Role } = ctx();
      return (await Role.search({ filter: [["code", "=like", `${prefix}%`]], fields: ["code"], order: "code" })).map(
        (r) => r.code,
      );
    };

    test("commits when the callback resolves and returns its value", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      const result = await db.transaction(async () => {
        expect(db.inTransaction).toBe(true);
        await Role.create({ code: "commit-1" });
        await Role.createMany([{ code: "commit-2" }]);
        return "done";
      });
      expect(result).toBe("done");
      expect(db.inTransaction).toBe(false);
      expect(await codes("commit-")).toEqual(["commit-1", "commit-2"]);
    });

    test("rolls back everything when the callback throws, and rethrows the error", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      const thrown = new Planned("stop");
      const err = await db
        .transaction(async () => {
          await Role.create({ code: "rollback-1" });
          await Role.updateMany([["code", "=", "rollback-1"]], { name: "changed" });
          throw thrown;
        })
        .catch((e: unknown) => e);
      expect(err).toBe(thrown);
      expect(await codes("rollback-")).toEqual([]);
    });

    test("a database error inside rolls back the statements before it", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      await Role.create({ code: "dberr-existing" });
      await expect(
        db.transaction(async () => {
          await Role.create({ code: "dberr-new" });
          await Role.create({ code: "dberr-existing" });
        }),
      ).rejects.toMatchObject({ kind: "unique" });
      expect(await codes("dberr-")).toEqual(["dberr-existing"]);
    });

    test("nested transactions are savepoints: an inner rollback keeps the outer work", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      await db.transaction(async () => {
        await Role.create({ code: "sp-outer" });
        await expect(
          db.transaction(async () => {
            await Role.create({ code: "sp-inner-lost" });
            throw new Planned("inner");
          }),
        ).rejects.toBeInstanceOf(Planned);
        await db.transaction(async () => {
          await Role.create({ code: "sp-inner-kept" });
        });
        expect(await codes("sp-")).toEqual(["sp-inner-kept", "sp-outer"]);
      });
      expect(await codes("sp-")).toEqual(["sp-inner-kept", "sp-outer"]);
      await expect(
        db.transaction(async () => {
          await Role.create({ code: "sp2-outer" });
          await db.transaction(() => Role.create({ code: "sp2-inner" }));
          throw new Planned("outer");
        }),
      ).rejects.toBeInstanceOf(Planned);
      expect(await codes("sp2-")).toEqual([]);
    });

    test("concurrent transactions each keep their own connection and fate", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      const run = (name: string, fail: boolean) =>
        db.transaction(async () => {
          for (let i = 0; i < 3; i++) {
            await Role.create({ code: `conc-${name}-${i}` });
            await new Promise((r) => setTimeout(r, 1));
          }
          expect(await Role.count({ filter: [["code", "=like", `conc-${name}-%`]] })).toBe(3);
          if (fail) throw new Planned(name);
          return name;
        });
      const results = await Promise.allSettled([run("a", false), run("b", true), run("c", false)]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect(await codes("conc-")).toEqual(["conc-a-0", "conc-a-1", "conc-a-2", "conc-c-0", "conc-c-1", "conc-c-2"]);
    });

    test("statements started outside a transaction do not join it", async () => {
      if (!(await supported())) return;
      const { db, Role } = ctx();
      let inside!: () => void;
      const started = new Promise<void>((r) => {
        inside = r;
      });
      let finish!: () => void;
      const gate = new Promise<void>((r) => {
        finish = r;
      });
      const tx = db.transaction(async () => {
        await Role.create({ code: "outside-tx" });
        inside();
        await gate;
        throw new Planned("roll back the transaction only");
      });
      await started;
      expect(db.inTransaction).toBe(false);
      // Not awaited before the transaction ends: an embedded engine may queue it until then.
      const outside = Role.create({ code: "outside-free" });
      finish();
      await expect(tx).rejects.toBeInstanceOf(Planned);
      expect(await outside).toBeGreaterThan(0);
      expect(await codes("outside-")).toEqual(["outside-free"]);
    });
  });
}
