import { AccessDenied, type AccessChecker, F, QueryError, ValidationError } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Session "limited" may not read Thing.small; everything else is allowed. */
const checker: AccessChecker<string> = {
  check: () => true,
  deniedFields: ({ session, model, operation }) =>
    session === "limited" && model.endsWith("_things") && operation === "read" ? ["small"] : [],
};

/** `F()` expressions: atomic updates computed by the database, and filters comparing two fields. */
export function querysetExpressions(target: ConformanceTarget) {
  return suite(
    "queryset expressions",
    target,
    (ctx) => {
      async function seed(tag: string) {
        const { Thing } = ctx();
        const rows = [
          { label: `${tag}-a`, count: 1, small: 5, ratio: 1.5, price: "10.00" },
          { label: `${tag}-b`, count: 7, small: 5, ratio: 3, price: "2.50" },
          { label: `${tag}-c`, count: 2, small: null, ratio: null, price: null },
        ];
        const ids = await Thing.createMany(rows);
        return {
          ids,
          qs: Thing.query()
            .filter({ label__startswith: `${tag}-` })
            .orderBy("label"),
        };
      }

      test("update with F() is one UPDATE computed by the database; concurrent increments are never lost", async () => {
        const { Thing } = ctx();
        const { ids, qs } = await seed("inc");
        const one = qs.filter({ id: ids[0] as number });
        const { result, statements } = await ctx().record(() => one.update({ count: F("count").add(1) }));
        expect(result).toBe(1);
        expect(statements.map((s) => s.operation)).toEqual(["update"]);
        expect(statements[0]?.sql).toMatch(/UPDATE/i);
        await Promise.all(Array.from({ length: 20 }, () => one.update({ count: F("count").add(1) })));
        expect((await Thing.get(ids[0] as number)).count).toBe(22);
        // every matching row computes from its own values
        expect(await qs.update({ count: F("count").mul(2).sub(F("small")) })).toBe(3);
        expect((await qs.values("count")).map((r) => r.count)).toEqual([39, 9, null]);
        expect(await qs.filter({ ratio__isnull: false }).update({ ratio: F("ratio").div(2).add(F("ratio")) })).toBe(2);
        expect((await qs.values("ratio")).map((r) => r.ratio)).toEqual([2.25, 4.5, null]);
        expect(await qs.filter({ id: ids[1] as number }).update({ price: F("price").add(0.25) })).toBe(1);
        expect((await Thing.get(ids[1] as number)).price).toBe("2.75");
        // a record's update reads the computed value back
        const record = await Thing.get(ids[1] as number);
        await record.update({ count: F("count").add(100) } as never);
        expect(record.count).toBe(109);
        expect((await Thing.get(ids[1] as number)).count).toBe(109);
      });

      test("filters compare two fields of the same record; != also matches NULL", async () => {
        const { ids, qs } = await seed("cmp");
        const [a, b, c] = ids as [number, number, number];
        const pick = async (q: typeof qs) => (await q).map((r) => r.id);
        expect(await pick(qs.filter({ count__lt: F("small") }))).toEqual([a]);
        expect(await pick(qs.filter({ count__gt: F("small") }))).toEqual([b]);
        expect(await pick(qs.filter({ count: F("small").sub(4) }))).toEqual([a]);
        expect(await pick(qs.filter({ count__ne: F("small").sub(4) }))).toEqual([b, c]);
        expect(await pick(qs.exclude({ count__lt: F("small") }))).toEqual([b, c]);
        expect(await pick(qs.where([["count", ">=", F("small").add(2)]]))).toEqual([b]);
        expect(await pick(qs.where([["ratio", "<", F("count")]]))).toEqual([b]);
      });

      test("hostile or meaningless expressions are refused with a typed error before any SQL", async () => {
        const { Thing } = ctx();
        const { ids, qs } = await seed("bad");
        const { statements } = await ctx().record(async () => {
          await expect(qs.update({ count: F("nope" as never) })).rejects.toBeInstanceOf(QueryError);
          await expect(qs.update({ count: F("label" as never).add(1) })).rejects.toThrow(
            /numeric fields; .*label is a char field/,
          );
          await expect(qs.update({ count: F("count").div(2) })).rejects.toThrow(/integer division/);
          await expect(qs.update({ count: F("count").add(1.5) })).rejects.toBeInstanceOf(QueryError);
          await expect(qs.update({ count: F("count").add("1; drop table x" as never) })).rejects.toBeInstanceOf(
            QueryError,
          );
          await expect(qs.update({ count: F("count").add(Number.NaN) })).rejects.toBeInstanceOf(QueryError);
          await expect(qs.update({ label: F("count") as never })).rejects.toBeInstanceOf(QueryError);
          // an object shaped like an expression is a value, not an expression
          await expect(qs.update({ count: { field: "count", steps: [["add", 1]] } as never })).rejects.toBeInstanceOf(
            ValidationError,
          );
          await expect(qs.filter({ count: { field: "small", steps: [] } as never }).all()).rejects.toBeInstanceOf(
            QueryError,
          );
          await expect(qs.filter({ count__in: F("small") as never }).all()).rejects.toBeInstanceOf(QueryError);
          await expect(
            Thing.query()
              .where([["label", "like", F("notes") as never]])
              .all(),
          ).rejects.toBeInstanceOf(QueryError);
        });
        expect(statements).toHaveLength(0);
        const { ChatMessage } = ctx();
        await expect(
          ChatMessage.query()
            .filter({ chat_id__name: F("body") as never })
            .all(),
        ).rejects.toThrow(/same record/);
        expect((await Thing.get(ids[0] as number)).count).toBe(1);
      });

      test("a field the session may not read is refused inside F() as anywhere else", async () => {
        const { db, Thing } = ctx();
        const { ids, qs } = await seed("acl");
        await db.withSession("limited", async () => {
          await expect(qs.update({ count: F("small") })).rejects.toBeInstanceOf(AccessDenied);
          await expect(qs.update({ count: F("count").add(F("small")) })).rejects.toBeInstanceOf(AccessDenied);
          await expect(qs.filter({ count__lt: F("small") }).all()).rejects.toBeInstanceOf(AccessDenied);
          await expect(qs.filter({ count__lt: F("small") }).count()).rejects.toBeInstanceOf(AccessDenied);
          expect(await qs.filter({ id: ids[0] as number }).update({ count: F("count").add(1) })).toBe(1);
        });
        expect((await Thing.get(ids[0] as number)).count).toBe(2);
      });
    },
    { access: checker },
  );
}
