import {
  AccessDenied,
  type AccessChecker,
  type FieldMap,
  type Filter,
  type Operation,
  RecordNotFound,
} from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** A test session carries its own rules: a filter per model and operation (true: everything). */
interface Policy {
  readonly rules: Readonly<Record<string, Partial<Record<Operation, boolean | Filter<FieldMap>>>>>;
}

const checker: AccessChecker<Policy> = {
  check: ({ session, model, operation }) => session?.rules[model]?.[operation] ?? true,
};

/**
 * Bulk updates and deletes (`updateMany`, `deleteMany`, query sets): what ids and filters target,
 * and how access rules bound them.
 */
export function bulkWrites(target: ConformanceTarget) {
  return suite(
    "bulk-writes",
    target,
    (ctx) => {
      test("an unfiltered query set update() and delete() affect every record the session may write; [] as ids affects none", async () => {
        const { db, Team, record } = ctx();
        const table = Team.meta.table;
        await Team.createMany([{ name: "mine-1" }, { name: "mine-2" }, { name: "theirs" }]);
        expect(await Team.query().update({ name: "renamed" })).toBe(3);
        expect((await Team.search({ fields: ["name"] })).map((t) => t.name)).toEqual(["renamed", "renamed", "renamed"]);
        const empty = await record(async () => [await Team.updateMany([], { name: "x" }), await Team.deleteMany([])]);
        expect(empty.result).toEqual([0, 0]);
        expect(empty.statements).toHaveLength(0);
        expect(await Team.query().delete()).toBe(3);
        expect(await Team.count()).toBe(0);

        await Team.createMany([{ name: "mine-1" }, { name: "mine-2" }, { name: "theirs" }]);
        const mine: Filter<FieldMap> = [["name", "like", "mine-"]];
        const session: Policy = { rules: { [table]: { read: mine, update: mine, delete: mine } } };
        await db.withSession(session, async () => {
          expect(await Team.query().update({ name: "mine-x" })).toBe(2);
          expect(await Team.query().delete()).toBe(2);
        });
        expect((await Team.search({ fields: ["name"] })).map((t) => t.name)).toEqual(["theirs"]);
        await Team.query().delete();
      });

      test("bulk writes are no oracle on rows the session cannot read: filters skip them, named ids are not found", async () => {
        const { db, Thing } = ctx();
        const table = Thing.meta.table;
        const [low, high, hidden] = await Thing.createMany([
          { label: "vis-low", count: 10 },
          { label: "vis-high", count: 20 },
          { label: "hidden", count: 60 },
        ]);
        const visible: Filter<FieldMap> = [["label", "like", "vis-"]];
        const small: Filter<FieldMap> = [["count", "<", 15]];
        const session: Policy = { rules: { [table]: { read: visible, update: small, delete: small } } };
        const absent = (hidden as number) + 1_000_000;
        await db.withSession(session, async () => {
          // the hidden row's value may not change any outcome: > 50 and > 100 behave alike
          expect(await Thing.count({ filter: [["count", ">", 50]] })).toBe(0);
          for (const bound of [50, 100]) {
            expect(await Thing.deleteMany([["count", ">", bound]])).toBe(0);
            expect(await Thing.updateMany([["count", ">", bound]], { notes: "x" })).toBe(0);
            expect(await Thing.query().filter({ count__gt: bound }).delete()).toBe(0);
          }
          // a hidden id and an absent one are reported alike: not found, as get reports them
          for (const id of [hidden as number, absent]) {
            for (const call of [
              () => Thing.deleteMany([low as number, id]),
              () => Thing.updateMany([id], { notes: "x" }),
              () => Thing.get(id),
            ]) {
              const err = await call().catch((e: unknown) => e);
              expect(err).toBeInstanceOf(RecordNotFound);
              expect(err).toMatchObject({ model: table, id });
            }
          }
          // a readable row outside the write rule denies the whole call
          await expect(Thing.deleteMany([["count", ">", 5]])).rejects.toMatchObject({
            operation: "delete",
            model: table,
          });
          await expect(Thing.updateMany([["count", ">", 15]], { notes: "x" })).rejects.toBeInstanceOf(AccessDenied);
          await expect(Thing.deleteMany([high as number])).rejects.toBeInstanceOf(AccessDenied);
          expect(await Thing.updateMany([["count", "<", 100]], { notes: "x" }).catch((e: unknown) => e)).toBeInstanceOf(
            AccessDenied,
          );
          expect(await Thing.deleteMany([["count", "<", 15]])).toBe(1);
        });
        const left = await Thing.search({
          filter: [["id", "in", [low, high, hidden] as number[]]],
          fields: ["label", "notes"],
        });
        expect(left.map((r) => [r.label, r.notes])).toEqual([
          ["vis-high", null],
          ["hidden", null],
        ]);
        await Thing.deleteMany([high as number, hidden as number]);
      });
    },
    { access: checker },
  );
}
