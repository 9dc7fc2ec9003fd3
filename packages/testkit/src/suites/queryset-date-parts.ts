import { AccessDenied, type AccessChecker, QueryError } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Session "limited" may not read Thing.at. */
const checker: AccessChecker<string> = {
  check: () => true,
  deniedFields: ({ session, model, operation }) =>
    session === "limited" && model.endsWith("_things") && operation === "read" ? ["at"] : [],
};

/** Date parts in lookups and filter lists (`at__year`, `["day.month", "=", 2]`), in UTC. */
export function querysetDateParts(target: ConformanceTarget) {
  return suite(
    "queryset date parts",
    target,
    (ctx) => {
      async function seed(tag: string) {
        const { Thing } = ctx();
        const ids = await Thing.createMany([
          // half an hour before 2024 in UTC: year 2023 whatever the server's time zone
          { label: `${tag}-a`, at: new Date("2023-12-31T23:30:00Z"), day: "2024-02-29" },
          { label: `${tag}-b`, at: new Date("2024-01-01T00:15:00Z"), day: "2024-03-01" },
          { label: `${tag}-c`, at: new Date("2024-05-17T12:00:00Z"), day: null },
        ]);
        const qs = Thing.query()
          .filter({ label__startswith: `${tag}-` })
          .orderBy("label");
        return { ids: ids as [number, number, number], qs, pick: async (q: typeof qs) => (await q).map((r) => r.id) };
      }

      test("year, month, day and date of a datetime, with lookups after the part", async () => {
        const { ids, qs, pick } = await seed("dt");
        const [a, b, c] = ids;
        expect(await pick(qs.filter({ at__year: 2024 }))).toEqual([b, c]);
        expect(await pick(qs.filter({ at__year__lt: 2024 }))).toEqual([a]);
        expect(await pick(qs.filter({ at__year__range: [2023, 2023] }))).toEqual([a]);
        expect(await pick(qs.filter({ at__month__in: [1, 5] }))).toEqual([b, c]);
        expect(await pick(qs.filter({ at__day: 31 }))).toEqual([a]);
        expect(await pick(qs.filter({ at__date: "2024-01-01" }))).toEqual([b]);
        expect(await pick(qs.filter({ at__date__gte: "2024-01-01" }))).toEqual([b, c]);
        expect(await pick(qs.exclude({ at__year: 2024 }))).toEqual([a]);
        expect(await qs.filter({ at__year: 2024 }).count()).toBe(2);
      });

      test("parts of a date field, in filter lists too; negative lookups match NULL", async () => {
        const { ids, qs, pick } = await seed("d");
        const [a, b, c] = ids;
        expect(await pick(qs.filter({ day__month: 2, day__day: 29 }))).toEqual([a]);
        expect(await pick(qs.filter({ day__year__ne: 2024 }))).toEqual([c]);
        expect(await pick(qs.filter({ day__date: "2024-03-01" }))).toEqual([b]);
        expect(
          await pick(
            qs.where([
              ["at.year", "=", 2024],
              ["day.month", "between", [3, 12]],
            ]),
          ),
        ).toEqual([b]);
        expect(await pick(qs.where([["day.year", "is null"]]))).toEqual([c]);
      });

      test("bad parts and values are refused with a QueryError before any SQL", async () => {
        const { qs } = await seed("bad");
        const { statements } = await ctx().record(async () => {
          await expect(qs.filter({ at__year: "2024; drop table x" }).all()).rejects.toBeInstanceOf(QueryError);
          await expect(qs.filter({ at__year: 2024.5 }).all()).rejects.toBeInstanceOf(QueryError);
          await expect(qs.filter({ at__date: "not a date" }).all()).rejects.toBeInstanceOf(QueryError);
          await expect(qs.filter({ at__year__icontains: "2" } as never).all()).rejects.toBeInstanceOf(QueryError);
          await expect(qs.filter({ at__hour: 3 } as never).all()).rejects.toBeInstanceOf(QueryError);
          await expect(qs.filter({ label__year: 3 } as never).all()).rejects.toBeInstanceOf(QueryError);
          await expect(qs.where([["at.year.month", "=", 1] as never]).all()).rejects.toBeInstanceOf(QueryError);
        });
        expect(statements).toHaveLength(0);
      });

      test("a date part of a field the session may not read is refused", async () => {
        const { db } = ctx();
        const { qs } = await seed("acl");
        await db.withSession("limited", async () => {
          await expect(qs.filter({ at__year: 2024 }).all()).rejects.toBeInstanceOf(AccessDenied);
          await expect(qs.where([["at.date", "=", "2024-01-01"]]).count()).rejects.toBeInstanceOf(AccessDenied);
          expect(await qs.filter({ day__year: 2024 }).count()).toBe(2);
        });
      });
    },
    { access: checker },
  );
}
