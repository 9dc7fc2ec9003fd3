import { AccessDenied, type AccessChecker, QueryError, UnsupportedError } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Session "limited" reads only users not named "Hidden…" and may not read User.login. */
const checker: AccessChecker<string> = {
  check: ({ session, model, operation }) =>
    session === "limited" && operation === "read" && model.endsWith("_users") ? [["name", "not like", "Hidden"]] : true,
  deniedFields: ({ session, model }) => (session === "limited" && model.endsWith("_users") ? ["login"] : []),
};

/**
 * `search({ order: "creator_id.name" })`: ordering by a many2one path, as `orderBy("creator_id__name")`,
 * one row per record, and under the related model's rules: a related row the session may not read
 * sorts as null, so its values cannot be learnt from the order.
 */
export function relationOrdering(target: ConformanceTarget) {
  return suite(
    "relation ordering",
    target,
    (ctx) => {
      /** Chats c1..c4 (ids ascending) by Hidden z, Hidden a, Zed, Ann; by name the creators sort Ann, Hidden a, Hidden z, Zed. */
      async function seed(tag: string) {
        const { User, Chat, ChatMessage } = ctx();
        const [hz, ha, zed, ann] = (await User.createMany([
          { name: `Hidden z ${tag}`, login: `hz-${tag}` },
          { name: `Hidden a ${tag}`, login: `ha-${tag}` },
          { name: `Zed ${tag}`, login: `z-${tag}` },
          { name: `Ann ${tag}`, login: `a-${tag}` },
        ])) as [number, number, number, number];
        const chats = (await Chat.createMany(
          [hz, ha, zed, ann].map((creator_id, i) => ({ name: `${tag} ${i + 1}`, creator_id })),
        )) as [number, number, number, number];
        // several messages per chat: a join through a to-many relation would repeat chats
        await ChatMessage.createMany(
          chats.flatMap((chat_id) => [
            { chat_id, body: "m1" },
            { chat_id, body: "m2" },
          ]),
        );
        // typed loosely: the filter is shared by calls on Chat with different options
        return { chats, filter: [["name", "like", `${tag} `]] as never };
      }
      const unsupported = () => ctx().db.adapter.capabilities.relationColumns === false;

      test('order: "creator_id.name" sorts by the related field, as orderBy("creator_id__name"), one row per record', async () => {
        const { Chat } = ctx();
        const { chats, filter } = await seed("ro");
        const [c1, c2, c3, c4] = chats;
        if (unsupported()) {
          await expect(Chat.search({ filter, order: "creator_id.name" })).rejects.toBeInstanceOf(UnsupportedError);
          return;
        }
        const { result, statements } = await ctx().record(() =>
          Chat.search({ filter, fields: ["name"], order: "creator_id.name" }),
        );
        expect(result.map((c) => c.id)).toEqual([c4, c2, c1, c3]);
        expect(statements).toHaveLength(1);
        expect((await Chat.search({ filter, order: "creator_id.name desc, id" })).map((c) => c.id)).toEqual([
          c3,
          c1,
          c2,
          c4,
        ]);
        expect((await Chat.search({ filter, order: "creator_id.name", sort: "desc" })).map((c) => c.id)).toEqual([
          c3,
          c1,
          c2,
          c4,
        ]);
        expect((await Chat.query().where(filter).orderBy("-creator_id__name")).map((c) => c.id)).toEqual([
          c3,
          c1,
          c2,
          c4,
        ]);
        // nested one2many lists order by a path of their own model too
        const [chat] = await Chat.search({
          filter: [["id", "=", c1]],
          nested: { messages: { fields: ["body"], order: "chat_id.name desc, body desc" } },
        });
        expect((chat as unknown as { messages: { body: string }[] }).messages.map((m) => m.body)).toEqual(["m2", "m1"]);
      });

      test("a related row the session may not read sorts as null: the order reveals nothing of it; a denied field is AccessDenied", async () => {
        const { Chat, db } = ctx();
        const { chats, filter } = await seed("rh");
        const [c1, c2, c3, c4] = chats;
        if (unsupported()) return;
        await db.withSession("limited", async () => {
          // Hidden a (c2) would sort before Hidden z (c1): both read as null, so id breaks the tie
          expect((await Chat.search({ filter, order: "creator_id.name" })).map((c) => c.id)).toEqual([c4, c3, c1, c2]);
          expect((await Chat.search({ filter, order: "creator_id.name desc" })).map((c) => c.id)).toEqual([
            c1,
            c2,
            c3,
            c4,
          ]);
          const { statements } = await ctx().record(async () => {
            await expect(Chat.search({ filter, order: "creator_id.login" })).rejects.toBeInstanceOf(AccessDenied);
          });
          expect(statements).toHaveLength(0);
        });
      });

      test("paths through to-many relations, unknown fields or malformed terms are QueryErrors before any SQL", async () => {
        const { Chat } = ctx();
        const { statements } = await ctx().record(async () => {
          for (const order of [
            "messages.body",
            "creator_id.nope",
            "name.x",
            "creator_id.",
            "creator_id..name",
            "creator_id.name; drop table x",
            ".name",
          ]) {
            await expect(Chat.search({ order }), order).rejects.toBeInstanceOf(QueryError);
          }
        });
        expect(statements).toHaveLength(0);
      });
    },
    { access: checker },
  );
}
