import { QueryError } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/**
 * The per-call `timeout` option of model calls and `timeout()` of query sets: checked before any SQL,
 * transparent when the call is in time. (Calls that outlive it are in the fault suite, which can
 * stall a server's connection.)
 */
export function callTimeouts(target: ConformanceTarget) {
  return suite("call timeouts", target, (ctx) => {
    test("a timeout that is no positive whole number of milliseconds is a QueryError before any SQL", async () => {
      const { Role, record } = ctx();
      const { statements } = await record(async () => {
        for (const bad of [0, -1, 1.5, "100", Number.NaN, null, Number.POSITIVE_INFINITY]) {
          const timeout = bad as number;
          await expect(Role.search({ timeout }), String(bad)).rejects.toThrow(
            /timeout must be a positive whole number of milliseconds/,
          );
          await expect(Role.count({ timeout })).rejects.toBeInstanceOf(QueryError);
          await expect(Role.exists({ timeout })).rejects.toBeInstanceOf(QueryError);
          await expect(Role.get(1, { timeout })).rejects.toBeInstanceOf(QueryError);
          await expect(Role.createMany([{ code: "never" }], { timeout })).rejects.toBeInstanceOf(QueryError);
          await expect(Role.updateMany([1], { name: "x" }, { timeout })).rejects.toBeInstanceOf(QueryError);
          await expect(Role.deleteMany([1], { timeout })).rejects.toBeInstanceOf(QueryError);
          expect(() => Role.query().timeout(timeout)).toThrow(/timeout\(\) takes a positive whole number/);
        }
      });
      expect(statements).toHaveLength(0);
    });

    test("calls in time return what they return without the option, through every call kind", async () => {
      const { Role } = ctx();
      const t = { timeout: 20_000 };
      const [a, b] = (await Role.createMany(
        [
          { code: "ct-a", name: "x" },
          { code: "ct-b", name: "y" },
        ],
        t,
      )) as [number, number];
      const filter = [["code", "like", "ct-"]] as const;
      expect((await Role.search({ filter: [...filter], fields: ["code"], ...t })).map((r) => r.code)).toEqual([
        "ct-a",
        "ct-b",
      ]);
      expect((await Role.get(a, { fields: ["code"], ...t })).code).toBe("ct-a");
      expect(await Role.getOrNull(b + 1_000_000, t)).toBeNull();
      expect(await Role.count({ filter: [...filter], ...t })).toBe(2);
      expect(await Role.exists({ filter: [...filter], ...t })).toBe(true);
      expect(await Role.updateMany([b], { name: "z" }, t)).toBe(1);
      const qs = Role.query()
        .where([...filter])
        .timeout(20_000);
      expect(await qs.count()).toBe(2);
      expect((await qs.orderBy("code").values("name")).map((r) => r.name)).toEqual(["x", "z"]);
      expect(await qs.aggregate({ n: ["id", "count"] })).toEqual({ n: 2 });
      expect(await qs.groupBy("name").aggregate({ n: ["id", "count"] })).toHaveLength(2);
      expect((await qs.paginate({ size: 1 })).data).toHaveLength(1);
      expect(await Role.deleteMany([a], t)).toBe(1);
      expect(await qs.delete()).toBe(1);
    });
  });
}
