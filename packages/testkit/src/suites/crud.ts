import { QueryError, RecordNotFound } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** create, createMany, get, getOrNull, search, count, exists, update, delete on records and in bulk. */
export function crud(target: ConformanceTarget) {
  return suite("crud", target, (ctx) => {
    test("create returns the id; get reads every stored field with defaults applied", async () => {
      const { User } = ctx();
      const id = await User.create({ name: "Ann", login: "ann" });
      expect(typeof id).toBe("number");
      expect(id).toBeGreaterThan(0);
      const user = await User.get(id);
      expect(user).toMatchObject({ id, name: "Ann", login: "ann", bio: null, is_active: true });
      expect(Object.keys(user).sort()).toEqual(["bio", "id", "is_active", "login", "name"]);
    });

    test("createMany returns ids in input order", async () => {
      const { User } = ctx();
      const names = ["m1", "m2", "m3", "m4"];
      const ids = await User.createMany(names.map((name) => ({ name })));
      expect(ids).toHaveLength(4);
      const rows = await User.search({ filter: [["id", "in", ids]], fields: ["name"], order: "id" });
      expect(rows.map((r) => r.name)).toEqual(names);
      expect(rows.map((r) => r.id)).toEqual(ids);
      expect(await User.createMany([])).toEqual([]);
    });

    test("createMany reads iterables and async iterables, ids in order", async () => {
      const { Role, db } = ctx();
      function* gen() {
        for (let i = 0; i < 25; i++) yield { code: `gen-${i}` };
      }
      async function* agen() {
        for (let i = 0; i < 3; i++) yield { code: `agen-${i}` };
      }
      const ids = await Role.createMany(gen());
      expect(ids).toHaveLength(25);
      expect((await Role.search({ filter: [["id", "in", ids]], order: "id" })).map((r) => r.code)).toEqual(
        Array.from({ length: 25 }, (_, i) => `gen-${i}`),
      );
      expect(await Role.createMany(agen())).toHaveLength(3);
      async function* broken() {
        yield { code: "iter-ok" };
        yield { code: null as unknown as string };
      }
      await expect(Role.createMany(broken())).rejects.toThrow(/required/);
      // the bad record is found before anything is written, so nothing is left behind, with or without transactions
      expect(await Role.count({ filter: [["code", "=", "iter-ok"]] })).toBe(0);
    });

    test("get throws RecordNotFound naming the model and id; getOrNull returns null", async () => {
      const { User } = ctx();
      const err = await User.get(987654).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RecordNotFound);
      expect(err).toMatchObject({ model: User.meta.table, id: 987654 });
      expect(await User.getOrNull(987654)).toBeNull();
      await expect(User.get(-1)).rejects.toBeInstanceOf(QueryError);
    });

    test("fields narrow the record; id is always returned", async () => {
      const { User } = ctx();
      const id = await User.create({ name: "Narrow", bio: "long text" });
      const slim = await User.get(id, { fields: ["name"] });
      expect(slim).toEqual(expect.objectContaining({ id, name: "Narrow" }));
      expect(Object.keys(slim).sort()).toEqual(["id", "name"]);
    });

    test("record.update writes and reflects the values; record.delete removes it", async () => {
      const { Chat, User } = ctx();
      const creator = await User.create({ name: "Owner" });
      const chat = await Chat.get(await Chat.create({ name: "Before", creator_id: creator }));
      await chat.update({ name: "After", is_archived: true });
      expect(chat.name).toBe("After");
      expect(await Chat.get(chat.id, { fields: ["name", "is_archived"] })).toMatchObject({
        name: "After",
        is_archived: true,
      });
      await chat.delete();
      expect(await Chat.getOrNull(chat.id)).toBeNull();
      await expect(chat.delete()).rejects.toBeInstanceOf(RecordNotFound);
      await expect(chat.update({ name: "gone" })).rejects.toBeInstanceOf(RecordNotFound);
    });

    test("updateMany and deleteMany by ids and by filter return the counts", async () => {
      const { Chat, User } = ctx();
      const creator = await User.create({ name: "Bulk" });
      const ids = await Chat.createMany([1, 2, 3, 4].map((i) => ({ name: `bulk ${i}`, creator_id: creator })));
      expect(await Chat.updateMany(ids.slice(0, 2), { is_archived: true })).toBe(2);
      expect(
        await Chat.updateMany(
          [
            ["creator_id", "=", creator],
            ["is_archived", "=", false],
          ],
          { description: "open" },
        ),
      ).toBe(2);
      expect(
        await Chat.count({
          filter: [
            ["creator_id", "=", creator],
            ["description", "=", "open"],
          ],
        }),
      ).toBe(2);
      expect(await Chat.updateMany([], { name: "x" })).toBe(0);
      expect(
        await Chat.deleteMany([
          ["creator_id", "=", creator],
          ["is_archived", "=", true],
        ]),
      ).toBe(2);
      expect(await Chat.deleteMany(ids)).toBe(2);
      expect(await Chat.count({ filter: [["creator_id", "=", creator]] })).toBe(0);
    });

    test("count and exists follow the filter", async () => {
      const { User } = ctx();
      const total = await User.count();
      await User.createMany([
        { name: "cnt", bio: "x" },
        { name: "cnt", bio: "y" },
      ]);
      expect(await User.count({ filter: [["name", "=", "cnt"]] })).toBe(2);
      // no filter counts every row: exactly the two more
      expect(await User.count()).toBe(total + 2);
      expect(
        await User.exists({
          filter: [
            ["name", "=", "cnt"],
            ["bio", "=", "y"],
          ],
        }),
      ).toBe(true);
      expect(await User.exists({ filter: [["name", "=", "nobody-at-all"]] })).toBe(false);
    });

    test("records are instances of the model class, so subclass methods work", async () => {
      const { Chat, ChatMessage, User } = ctx();
      const creator = await User.create({ name: "Writer" });
      const chat = await Chat.create({ name: "Methods", creator_id: creator });
      const id = await ChatMessage.create({ chat_id: chat, body: "hello there, world" });
      const message = await ChatMessage.get(id);
      expect(message).toBeInstanceOf(ChatMessage);
      expect(message.preview()).toBe("hello ther");
      expect(message.created_at).toBeInstanceOf(Date);
    });

    test("a many2one accepts a record as well as an id", async () => {
      const { Chat, User } = ctx();
      const creator = await User.get(await User.create({ name: "AsRecord" }));
      const chat = await Chat.create({ name: "record-ref", creator_id: creator });
      expect((await Chat.get(chat)).creator_id).toBe(creator.id);
    });

    test("search orders by id by default and pages with limit and offset", async () => {
      const { Role } = ctx();
      const ids = await Role.createMany(["r1", "r2", "r3", "r4", "r5"].map((code) => ({ code })));
      const page = await Role.search({ filter: [["id", "in", ids]], limit: 2, offset: 1 });
      expect(page.map((r) => r.id)).toEqual(ids.slice(1, 3));
      const desc = await Role.search({ filter: [["id", "in", ids]], order: "id", sort: "desc", limit: 2 });
      expect(desc.map((r) => r.id)).toEqual([ids[4], ids[3]]);
    });
  });
}
