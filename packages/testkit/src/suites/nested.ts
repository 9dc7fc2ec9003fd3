import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Nested reads of many2one and one2many, in one statement. */
export function nested(target: ConformanceTarget) {
  return suite("nested", target, (ctx) => {
    async function seed() {
      const { User, Chat, ChatMessage } = ctx();
      const ann = await User.create({ name: "Ann" });
      const bob = await User.create({ name: "Bob" });
      const chat = await Chat.create({ name: "General", creator_id: ann });
      const messages = await ChatMessage.createMany([
        { chat_id: chat, author_user_id: ann, body: "first" },
        { chat_id: chat, author_user_id: bob, body: "second" },
        { chat_id: chat, body: "third, anonymous" },
      ]);
      return { ann, bob, chat, messages };
    }

    test("get with nested many2one and one2many is one statement", async () => {
      const { Chat, ChatMessage, record } = ctx();
      const { ann, chat, messages } = await seed();
      const { result, statements } = await record(() =>
        Chat.get(chat, {
          fields: ["name", "is_archived"],
          nested: { creator_id: ["name", "id"], messages: ["body", { author_user_id: ["name"] }] },
        }),
      );
      expect(statements).toHaveLength(1);
      expect(result.creator_id).toMatchObject({ id: ann, name: "Ann" });
      expect(result.creator_id.name).toBe("Ann");
      expect(result.messages.map((m) => m.id)).toEqual(messages);
      expect(result.messages.map((m) => m.body)).toEqual(["first", "second", "third, anonymous"]);
      expect(result.messages[0]).toBeInstanceOf(ChatMessage);
      expect(result.messages[0]?.author_user_id).toMatchObject({ name: "Ann" });
      expect(result.messages[2]?.author_user_id).toBeNull();
    });

    test("a page of 100 with nested many2one is one statement", async () => {
      const { Chat, User, record } = ctx();
      const users = await User.createMany(Array.from({ length: 10 }, (_, i) => ({ name: `page-user-${i}` })));
      await Chat.createMany(
        Array.from({ length: 120 }, (_, i) => ({ name: `page-chat-${i}`, creator_id: users[i % 10] as number })),
      );
      const { result, statements } = await record(() =>
        Chat.search({
          filter: [["name", "like", "page-chat-"]],
          fields: ["name"],
          nested: { creator_id: ["name"] },
          limit: 100,
        }),
      );
      expect(statements).toHaveLength(1);
      expect(result).toHaveLength(100);
      for (const [i, chat] of result.entries()) {
        expect(chat.name).toBe(`page-chat-${i}`);
        expect(chat.creator_id.name).toBe(`page-user-${i % 10}`);
      }
    });

    test("one2many listed in fields without nested gives an array of ids", async () => {
      const { Chat } = ctx();
      const { chat, messages } = await seed();
      const row = await Chat.get(chat, { fields: ["name", "messages"] });
      expect(row.messages).toEqual(messages);
    });

    test("the object form takes its own order, filter and limit: the last two messages", async () => {
      const { Chat } = ctx();
      const { chat, messages } = await seed();
      const row = await Chat.get(chat, {
        nested: { messages: { fields: ["body"], order: "id", sort: "desc", limit: 2 } },
      });
      expect(row.messages.map((m) => m.id)).toEqual([messages[2], messages[1]]);
      const filtered = await Chat.get(chat, {
        nested: { messages: { fields: ["body"], filter: [["body", "like", "sec"]] } },
      });
      expect(filtered.messages.map((m) => m.body)).toEqual(["second"]);
    });

    test("the object form takes inline nested maps in its fields, the same as the list form, in one statement", async () => {
      const { Chat, record } = ctx();
      const { chat, ann } = await seed();
      const list = await Chat.get(chat, { nested: { messages: ["body", { author_user_id: ["name"] }] } });
      const { result, statements } = await record(() =>
        Chat.get(chat, { nested: { messages: { fields: ["body", { author_user_id: ["name"] }], order: "id" } } }),
      );
      expect(statements).toHaveLength(1);
      expect(result.messages.map((m) => ({ ...m }))).toEqual(list.messages.map((m) => ({ ...m })));
      expect(result.messages[0]?.author_user_id).toMatchObject({ id: ann, name: "Ann" });
      expect(Object.keys(result.messages[0] ?? {}).sort()).toEqual(["author_user_id", "body", "id"]);
      // with "nested" beside it the two maps join; a relation named in both is refused, naming it
      const both = await Chat.get(chat, {
        nested: { messages: { fields: ["body", { author_user_id: ["name"] }], nested: { chat_id: ["name"] } } },
      });
      expect(both.messages[0]).toMatchObject({
        body: "first",
        chat_id: { name: "General" },
        author_user_id: { name: "Ann" },
      });
      await expect(
        Chat.get(chat, {
          nested: { messages: { fields: [{ author_user_id: ["name"] }], nested: { author_user_id: ["login"] } } },
        }),
      ).rejects.toThrow(/"author_user_id" both inline/);
      await expect(Chat.get(chat, { nested: { messages: { fields: ["body", 3 as never] } } })).rejects.toMatchObject({
        name: "QueryError",
        field: "messages",
      });
    });

    test("nested many2one is null when unset; an empty one2many is []", async () => {
      const { Chat, ChatMessage, User } = ctx();
      const u = await User.create({ name: "Lonely" });
      const chat = await Chat.create({ name: "Empty", creator_id: u });
      const m = await ChatMessage.create({ chat_id: chat, body: "x" });
      expect((await ChatMessage.get(m, { nested: { author_user_id: ["name"] } })).author_user_id).toBeNull();
      const empty = await Chat.create({ name: "Really empty", creator_id: u });
      expect((await Chat.get(empty, { nested: { messages: ["body"] } })).messages).toEqual([]);
    });

    test("nested values keep their types: dates are Dates, booleans booleans", async () => {
      const { Chat, ChatMessage } = ctx();
      const { chat } = await seed();
      const row = await ChatMessage.search({
        filter: [["chat_id", "=", chat]],
        nested: { chat_id: ["is_archived", "name"] },
        limit: 1,
      });
      expect(row[0]?.chat_id.is_archived).toBe(false);
      const withDates = await Chat.get(chat, { nested: { messages: ["created_at"] } });
      expect(withDates.messages[0]?.created_at).toBeInstanceOf(Date);
    });
    test("x2many inside x2many: each level's order, limit and offset apply per parent, over many parents", async () => {
      const { Team, User, Role, record } = ctx();
      const roles = await Role.createMany(["d", "a", "c", "b"].map((code) => ({ code: `deep-${code}` })));
      // logins: some missing, so the descending order puts NULLs first, ties broken by id
      const logins = ["deep-k", null, "deep-m", "deep-l", null, "deep-n"];
      const users = await User.createMany(
        logins.map((login, i) => ({
          name: `deep-user-${i}`,
          login,
          role_ids: roles.filter((_, r) => (i + r) % 3 !== 0),
        })),
      );
      const membership = [[0, 1, 2, 3], [2, 3, 4, 5], [5], [1, 4, 0, 5, 3]];
      const teams = await Team.createMany(
        membership.map((m, i) => ({ name: `deep-team-${i}`, member_ids: m.map((k) => users[k] as number) })),
      );
      const { result, statements } = await record(() =>
        Team.search({
          filter: [["name", "like", "deep-team-"]],
          fields: ["name"],
          order: "name desc",
          nested: {
            member_ids: {
              fields: ["name", "login"],
              order: "login desc",
              limit: 2,
              offset: 1,
              nested: { role_ids: { fields: ["code"], order: "code", limit: 2 } },
            },
          },
        }),
      );
      expect(statements).toHaveLength(1);
      const byLoginDesc = (a: number, b: number) => {
        const [la, lb] = [logins[a] ?? null, logins[b] ?? null];
        if (la === lb) return a - b;
        if (la === null) return -1;
        if (lb === null) return 1;
        return la < lb ? 1 : -1;
      };
      const rolesOf = (k: number) =>
        ["d", "a", "c", "b"]
          .filter((_, r) => (k + r) % 3 !== 0)
          .map((c) => `deep-${c}`)
          .sort()
          .slice(0, 2);
      const expected = membership
        .map((members, i) => ({
          name: `deep-team-${i}`,
          member_ids: [...members]
            .sort(byLoginDesc)
            .slice(1, 3)
            .map((k) => ({ name: `deep-user-${k}`, roles: rolesOf(k) })),
        }))
        .reverse();
      expect(
        result.map((t) => ({
          name: t.name,
          member_ids: t.member_ids.map((u) => ({ name: u.name, roles: u.role_ids.map((r) => r.code) })),
        })),
      ).toEqual(expected);
      // one record: the same page of members, from the single-parent form
      const one = await Team.get(teams[3] as number, {
        nested: {
          member_ids: {
            fields: ["name", "login"],
            order: "login desc",
            limit: 2,
            offset: 1,
            nested: { role_ids: { fields: ["code"], order: "code", limit: 2 } },
          },
        },
      });
      expect(one.member_ids.map((u) => u.name)).toEqual(expected[0]?.member_ids.map((u) => u.name));
      expect(one.member_ids[0]).toBeInstanceOf(User);
      // a limit on the parents limits whose children are read
      const page = await Team.search({
        filter: [["name", "like", "deep-team-"]],
        fields: ["name"],
        order: "name",
        limit: 2,
        offset: 1,
        nested: {
          member_ids: {
            fields: ["name", "login"],
            order: "login desc",
            limit: 2,
            offset: 1,
            nested: { role_ids: { fields: ["code"], order: "code", limit: 2 } },
          },
        },
      });
      expect(page.map((t) => t.name)).toEqual(["deep-team-1", "deep-team-2"]);
      expect(page.map((t) => t.member_ids.map((u) => u.name))).toEqual([
        expected[2]?.member_ids.map((u) => u.name),
        expected[1]?.member_ids.map((u) => u.name),
      ]);
    });
  });
}
