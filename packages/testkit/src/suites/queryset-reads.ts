import { MultipleRecordsFound, QueryError, RecordNotFound } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Slicing rules (Django's) and the read helpers of a query set: none, reverse, latest/earliest, inBulk, getOrNull. */
export function querysetReads(target: ConformanceTarget) {
  return suite("queryset reads", target, (ctx) => {
    async function seed(tag: string) {
      const { Role } = ctx();
      const ids = await Role.createMany(
        ["d", "b", "e", "a", "c"].map((c, i) => ({ code: `${tag}-${c}`, name: i % 2 ? "odd" : null })),
      );
      return { ids, qs: Role.query().filter({ code__startswith: `${tag}-` }) };
    }

    test("last() on a sliced query set is refused (Django's rule), on an unsliced one is the last in order", async () => {
      const { ids, qs } = await seed("last");
      expect((await qs.last())?.id).toBe(ids[4]);
      expect((await qs.orderBy("code").last())?.code).toBe("last-e");
      await expect(qs.limit(0).last()).rejects.toBeInstanceOf(QueryError);
      await expect(qs.offset(2).limit(2).last()).rejects.toThrow(/last\(\) cannot follow limit\(\)\/offset\(\)/);
      // first() stays within the slice
      expect((await qs.offset(2).limit(2).first())?.id).toBe(ids[2]);
      expect(await qs.limit(0).first()).toBeNull();
    });

    test("conditions, orders and aggregates after limit()/offset() raise QueryError; count and exists see the slice", async () => {
      const { qs } = await seed("slice");
      const sliced = qs.orderBy("code").offset(1).limit(2);
      expect(() => sliced.filter({ name: "odd" })).toThrow(/filter\(\) cannot follow limit\(\)\/offset\(\)/);
      expect(() => sliced.exclude({ name: "odd" })).toThrow(QueryError);
      expect(() => sliced.where([["name", "=", "odd"]])).toThrow(QueryError);
      expect(() => sliced.orderBy("-code")).toThrow(/orderBy\(\)/);
      expect(() => sliced.reverse()).toThrow(QueryError);
      expect(() => sliced.groupBy("name")).toThrow(QueryError);
      await expect(sliced.aggregate({ n: ["id", "count"] })).rejects.toBeInstanceOf(QueryError);
      await expect(sliced.paginate({ size: 2 })).rejects.toBeInstanceOf(QueryError);
      await expect(sliced.inBulk([1])).rejects.toBeInstanceOf(QueryError);
      await expect(sliced.latest("code")).rejects.toBeInstanceOf(QueryError);
      expect(() => qs.limit(-1)).toThrow(QueryError);
      expect(() => qs.offset(1.5 as number)).toThrow(QueryError);
      expect((await sliced).map((r) => r.code)).toEqual(["slice-b", "slice-c"]);
      expect(await sliced.count()).toBe(2);
      expect(await qs.offset(4).limit(3).count()).toBe(1);
      expect(await qs.offset(9).count()).toBe(0);
      expect(await qs.offset(9).exists()).toBe(false);
      expect(await qs.offset(4).exists()).toBe(true);
      // the same calls before slicing are fine
      expect((await qs.filter({ name: "odd" }).orderBy("-code").limit(1)).map((r) => r.code)).toEqual(["slice-b"]);
    });

    test("none() matches nothing and sends no SQL", async () => {
      const { qs } = await seed("none");
      const { result, statements } = await ctx().record(async () => {
        const none = qs.none();
        return [
          await none,
          await none.first(),
          await none.count(),
          await none.exists(),
          await none.values("code"),
          await none.getOrNull(),
          await none.update({ name: "x" }),
          await none.delete(),
          await none.inBulk([1]),
        ];
      });
      expect(result).toEqual([[], null, 0, false, [], null, 0, 0, new Map()]);
      expect(statements).toHaveLength(0);
      expect(await qs.none().aggregate({ n: ["id", "count"] })).toEqual({ n: 0 });
      expect(await qs.count()).toBe(5);
    });

    test("reverse() flips the order, the default order by id included", async () => {
      const { ids, qs } = await seed("rev");
      expect((await qs.reverse()).map((r) => r.id)).toEqual([...ids].reverse());
      expect((await qs.orderBy("-name", "code").reverse()).map((r) => r.code)).toEqual([
        "rev-b",
        "rev-a",
        "rev-e",
        "rev-d",
        "rev-c",
      ]);
      expect((await qs.orderBy("code").reverse().reverse().first())?.code).toBe("rev-a");
    });

    test("latest() / earliest() pick by a field, ties by the next field then id; RecordNotFound when empty", async () => {
      const { ids, qs } = await seed("late");
      expect((await qs.latest("code")).code).toBe("late-e");
      expect((await qs.earliest("code")).code).toBe("late-a");
      // NULL names sort first descending: latest("name") is a NULL one, ties broken by code descending
      expect((await qs.latest("name", "code")).code).toBe("late-e");
      expect((await qs.earliest("name")).id).toBe(ids[1]);
      await expect(qs.filter({ code: "nope" }).latest("code")).rejects.toBeInstanceOf(RecordNotFound);
      await expect(qs.latest("nope" as never)).rejects.toBeInstanceOf(QueryError);
      await expect((qs.latest as (...f: string[]) => Promise<unknown>)()).rejects.toBeInstanceOf(QueryError);
    });

    test("inBulk() maps ids to records in one statement; invisible or missing ids are absent", async () => {
      const { ids, qs } = await seed("bulk");
      const [a, b, c] = ids as [number, number, number];
      const { result, statements } = await ctx().record(() =>
        qs.filter({ name: "odd" }).inBulk([a, b, c, b, 999_999_999]),
      );
      expect([...result.keys()].sort((x, y) => x - y)).toEqual([b]);
      expect(result.get(b)?.code).toBe("bulk-b");
      expect(statements).toHaveLength(1);
      expect((await qs.inBulk([])).size).toBe(0);
      await expect(qs.inBulk([a, -1])).rejects.toBeInstanceOf(QueryError);
      await expect(qs.inBulk("1" as never)).rejects.toBeInstanceOf(QueryError);
      await expect(qs.inBulk([{ kind: "const", value: true }] as never)).rejects.toBeInstanceOf(QueryError);
    });

    test("getOrNull() returns the one match or null, and still refuses several", async () => {
      const { ids, qs } = await seed("gon");
      expect((await qs.getOrNull({ code: "gon-b" }))?.id).toBe(ids[1]);
      expect(await qs.getOrNull({ code: "gon-z" })).toBeNull();
      await expect(qs.getOrNull({ name: "odd" })).rejects.toBeInstanceOf(MultipleRecordsFound);
      expect((await qs.orderBy("code").limit(1).getOrNull())?.code).toBe("gon-a");
    });
  });
}
