import { AccessDenied, type AccessChecker, QueryError, UnsupportedError } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Session "limited" reads only chats that are not archived, and may not read Chat.description. */
const checker: AccessChecker<string> = {
  check: ({ session, model, operation }) =>
    session === "limited" && operation === "read" && model.endsWith("_chats") ? [["is_archived", "=", false]] : true,
  deniedFields: ({ session, model }) => (session === "limited" && model.endsWith("_chats") ? ["description"] : []),
};

/** distinct() with values() / valuesList(): each combination of the listed fields once, as Django's values().distinct(). */
export function querysetDistinct(target: ConformanceTarget) {
  return suite(
    "queryset distinct",
    target,
    (ctx) => {
      /** Six chats: chat_type repeats, description is NULL twice, two are archived. */
      async function seed(tag: string) {
        const { User, Chat, ChatMessage } = ctx();
        const [ann, bob] = (await User.createMany([{ name: `Ann ${tag}` }, { name: `Bob ${tag}` }])) as [
          number,
          number,
        ];
        const rows = [
          { chat_type: "group", description: "x", creator_id: bob },
          { chat_type: "direct", description: null, creator_id: ann },
          { chat_type: "group", description: "x", creator_id: ann, is_archived: true },
          { chat_type: "channel", description: "y", creator_id: bob },
          { chat_type: "group", description: null, creator_id: ann },
          { chat_type: "direct", description: null, creator_id: ann, is_archived: true },
        ] as const;
        const ids = (await Chat.createMany(rows.map((r, i) => ({ ...r, name: `${tag} ${i}` })))) as number[];
        await ChatMessage.createMany([0, 0, 0, 1].map((i) => ({ chat_id: ids[i] as number, body: `m${i}` })));
        return { ann, bob, ids, qs: Chat.query().filter({ name__startswith: `${tag} ` }) };
      }

      test("values(field) after distinct() gives each value once, in the field's order; without it, one row per record", async () => {
        const { qs, ids } = await seed("one");
        expect(await qs.distinct().values("chat_type")).toEqual([
          { chat_type: "channel" },
          { chat_type: "direct" },
          { chat_type: "group" },
        ]);
        const all = await qs.values("id", "chat_type");
        expect(all).toHaveLength(6);
        expect(all.map((r) => r.id)).toEqual(ids);
        expect((await qs.values("chat_type")).every((r) => !("id" in r))).toBe(true);
        expect(await qs.distinct().valuesList("chat_type", { flat: true })).toEqual(["channel", "direct", "group"]);
        expect(await qs.orderBy("-chat_type").distinct().valuesList("chat_type", { flat: true })).toEqual([
          "group",
          "direct",
          "channel",
        ]);
      });

      test("several fields: each combination once, NULL as one value (last ascending, first descending), ties by the listed fields", async () => {
        const { qs } = await seed("two");
        const pairs = [
          ["channel", "y"],
          ["direct", null],
          ["group", "x"],
          ["group", null],
        ];
        expect(await qs.distinct().valuesList("chat_type", "description")).toEqual(pairs);
        expect(await qs.distinct().values("chat_type", "description")).toEqual(
          pairs.map(([chat_type, description]) => ({ chat_type, description })),
        );
        expect(await qs.orderBy("-description").distinct().valuesList("description", "chat_type")).toEqual([
          [null, "direct"],
          [null, "group"],
          ["y", "channel"],
          ["x", "group"],
        ]);
        // a slice of the combinations, not of the records
        expect(await qs.distinct().offset(1).limit(2).valuesList("chat_type", "description")).toEqual(
          pairs.slice(1, 3),
        );
        expect(await qs.exclude({ is_archived: true }).distinct().valuesList("is_archived", { flat: true })).toEqual([
          false,
        ]);
      });

      test("listing id (or no field) keeps every record; count(), first() and records are unchanged by distinct()", async () => {
        const { qs, ids } = await seed("ids");
        expect((await qs.distinct().values("id", "chat_type")).map((r) => r.id)).toEqual(ids);
        expect((await qs.distinct().values()).map((r) => r.id)).toEqual(ids);
        expect(await qs.distinct().count()).toBe(6);
        expect((await qs.distinct()).map((r) => r.id)).toEqual(ids);
        expect((await qs.distinct().first())?.id).toBe(ids[0]);
        expect(await qs.distinct().valuesList("id", { flat: true })).toEqual(ids);
      });

      test("a condition through a one2many never repeats a record, with or without distinct()", async () => {
        const { qs, ids } = await seed("rel");
        const withMessages = qs.filter({ messages__body__startswith: "m" });
        expect((await withMessages).map((r) => r.id)).toEqual([ids[0], ids[1]]);
        expect(await withMessages.count()).toBe(2);
        expect(await withMessages.distinct().valuesList("chat_type", { flat: true })).toEqual(["direct", "group"]);
      });

      test("many2one paths and annotations can be distinct values (UnsupportedError on a database without relation columns)", async () => {
        const { qs, ann, bob } = await seed("path");
        if (ctx().db.adapter.capabilities.relationColumns === false) {
          await expect(qs.distinct().values("creator_id__name")).rejects.toBeInstanceOf(UnsupportedError);
          return;
        }
        expect(await qs.distinct().valuesList("creator_id__name", { flat: true })).toEqual(["Ann path", "Bob path"]);
        expect(await qs.orderBy("-creator_id__name").distinct().valuesList("creator_id__name", "creator_id")).toEqual([
          ["Bob path", bob],
          ["Ann path", ann],
        ]);
        const counted = qs.annotate({ n: ["messages", "count"] });
        expect(await counted.distinct().valuesList("n", { flat: true })).toEqual([0, 1, 3]);
        expect(await counted.orderBy("-n").distinct().values("n", "chat_type")).toEqual([
          { n: 3, chat_type: "group" },
          { n: 1, chat_type: "direct" },
          { n: 0, chat_type: "channel" },
          { n: 0, chat_type: "direct" },
          { n: 0, chat_type: "group" },
        ]);
      });

      test("every scalar type compares as its own value", async () => {
        const { Thing } = ctx();
        const blob = new Uint8Array([0, 255, 7]);
        const base = {
          price: "12.50",
          day: "2024-02-29",
          at: new Date("2024-05-17T23:30:00.250Z"),
          flag: true,
          kind: "a" as const,
          blob,
          data: { k: [1, "x"] },
          ratio: 0.5,
          clock: "12:30:00",
        };
        await Thing.createMany([
          { label: "dv-1", ...base },
          { label: "dv-2", ...base, price: "12.5" },
          { label: "dv-3", ...base, price: "3.00", flag: false, day: "1999-12-31" },
        ]);
        const rows = await Thing.query()
          .filter({ label__startswith: "dv-" })
          .distinct()
          .values("price", "day", "at", "flag", "kind", "blob", "data", "ratio", "clock");
        expect(rows).toHaveLength(2);
        // "12.50" and "12.5" are one decimal (ClickHouse prints it without trailing zeros)
        expect(rows.map((r) => [Number(r.price), r.day, r.flag])).toEqual([
          [3, "1999-12-31", false],
          [12.5, "2024-02-29", true],
        ]);
        expect(rows[1]).toMatchObject({ at: base.at, kind: "a", data: base.data, ratio: 0.5, clock: "12:30:00" });
        expect(new Uint8Array(rows[1]?.blob as Uint8Array)).toEqual(blob);
      });

      test("refused before any SQL: fields to distinct(), related lists, computed fields, nested, forUpdate, an order outside the listed fields", async () => {
        const { qs } = await seed("bad");
        const { Thing } = ctx();
        const { statements } = await ctx().record(async () => {
          expect(() => (qs.distinct as (...f: string[]) => unknown)("chat_type")).toThrow(
            /distinct\(\) takes no fields/,
          );
          await expect(qs.distinct().values("messages")).rejects.toThrow(/"messages" loads related records/);
          await expect(Thing.query().distinct().values("shout")).rejects.toThrow(/"shout" is computed/);
          await expect(
            qs
              .nested({ creator_id: ["name"] })
              .distinct()
              .values("chat_type"),
          ).rejects.toBeInstanceOf(QueryError);
          await expect(qs.orderBy("name").distinct().values("chat_type")).rejects.toThrow(
            /ordered by listed fields only; list "name"/,
          );
          await expect(qs.distinct().valuesList("chat_type", "name", { flat: true } as never)).rejects.toThrow(
            /exactly one field/,
          );
          await expect(qs.distinct().valuesList("chat_type", { flat: 1 } as never)).rejects.toBeInstanceOf(QueryError);
          await expect(qs.distinct().valuesList("chat_type", { named: true } as never)).rejects.toThrow(
            /no option "named"/,
          );
        });
        expect(statements).toHaveLength(0);
        if (ctx().db.adapter.capabilities.rowLocks) {
          await ctx().db.transaction(async () => {
            await expect(qs.forUpdate().distinct().values("chat_type")).rejects.toThrow(/cannot be locked/);
          });
        }
      });

      test("under rules: only readable rows give values, and a denied field is refused whatever the data", async () => {
        const { qs } = await seed("acl");
        const { db } = ctx();
        await db.withSession("limited", async () => {
          // the archived chats (the only "direct" ones besides one) are invisible
          expect(await qs.distinct().valuesList("chat_type", "is_archived")).toEqual([
            ["channel", false],
            ["direct", false],
            ["group", false],
          ]);
          await expect(qs.distinct().values("description")).rejects.toBeInstanceOf(AccessDenied);
          await expect(qs.distinct().valuesList("chat_type", "description")).rejects.toBeInstanceOf(AccessDenied);
        });
      });
    },
    { access: checker },
  );
}
