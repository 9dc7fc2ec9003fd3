import { type AnyModel, IntegrityError, ValidationError, connect, f, model } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** many2many and one2one reads, relation writes (ids and commands), depth-2 nesting in one statement. */
export function relations(target: ConformanceTarget) {
  return suite("relations", target, (ctx) => {
    test("many2many: write ids, read ids and nested objects, both sides of a default link table", async () => {
      const { User, Role, Team } = ctx();
      const [admin, sales] = await Role.createMany([
        { code: "m2m-admin", name: "Admin" },
        { code: "m2m-sales", name: "Sales" },
      ]);
      const ann = await User.create({ name: "m2m Ann", role_ids: [admin as number, sales as number] });
      const row = await User.get(ann, { fields: ["name", "role_ids"], nested: { role_ids: ["code"] } });
      expect(row.role_ids.map((r) => r.code)).toEqual(["m2m-admin", "m2m-sales"]);
      expect((await User.get(ann, { fields: ["role_ids"] })).role_ids).toEqual([admin, sales]);

      const team = await Team.create({ name: "m2m Team", member_ids: [ann] });
      expect((await User.get(ann, { fields: ["team_ids"] })).team_ids).toEqual([team]);
      expect((await Team.get(team, { nested: { member_ids: ["name"] } })).member_ids).toMatchObject([
        { id: ann, name: "m2m Ann" },
      ]);
    });

    test("many2many commands: link, unlink only this record's links, set, create", async () => {
      const { User, Role } = ctx();
      const [r1, r2, r3] = (await Role.createMany([{ code: "cmd-1" }, { code: "cmd-2" }, { code: "cmd-3" }])) as [
        number,
        number,
        number,
      ];
      const a = await User.create({ name: "cmd A", role_ids: [r1, r2] });
      const b = await User.create({ name: "cmd B", role_ids: [r1, r2] });
      await (await User.get(a)).update({ role_ids: { unlink: [r1] } });
      // the original DotORM removed the link for every owner; only A's link may go
      expect((await User.get(a, { fields: ["role_ids"] })).role_ids).toEqual([r2]);
      expect((await User.get(b, { fields: ["role_ids"] })).role_ids).toEqual([r1, r2]);
      await User.updateMany([a], { role_ids: { link: [r3, r2] } });
      expect((await User.get(a, { fields: ["role_ids"] })).role_ids).toEqual([r2, r3]);
      await User.updateMany([a], { role_ids: { set: [r1] } });
      expect((await User.get(a, { fields: ["role_ids"] })).role_ids).toEqual([r1]);
      await User.updateMany([a], { role_ids: { create: [{ code: "cmd-new" }] } });
      const roles = await User.get(a, { nested: { role_ids: ["code"] } });
      expect(roles.role_ids.map((r) => r.code)).toEqual(["cmd-1", "cmd-new"]);
      await User.updateMany([a], { role_ids: [] });
      expect((await User.get(a, { fields: ["role_ids"] })).role_ids).toEqual([]);
    });

    test("one2many commands: create, update, delete; unlink refused on a required inverse", async () => {
      const { Chat, ChatMessage, User } = ctx();
      const u = await User.create({ name: "o2m" });
      const chat = await Chat.create({
        name: "o2m chat",
        creator_id: u,
        messages: { create: [{ body: "one" }, { body: "two" }] },
      });
      let msgs = (await Chat.get(chat, { nested: { messages: ["body"] } })).messages;
      expect(msgs.map((m) => m.body)).toEqual(["one", "two"]);
      const [m1, m2] = msgs.map((m) => m.id) as [number, number];
      await Chat.updateMany([chat], { messages: { update: { [m1]: { body: "uno" } }, delete: [m2] } });
      msgs = (await Chat.get(chat, { nested: { messages: ["body"] } })).messages;
      expect(msgs.map((m) => m.body)).toEqual(["uno"]);
      expect(await ChatMessage.getOrNull(m2)).toBeNull();
      // chat_id is required on messages: unlinking them would orphan rows, so it is refused
      await expect(Chat.updateMany([chat], { messages: { unlink: [m1] } })).rejects.toBeInstanceOf(ValidationError);
    });

    /** A folder's documents (a nullable inverse) and their tags, on a second database over the suite's adapter. */
    async function folders() {
      const p = ctx().prefix;
      const Tag = model(`${p}_rc_tags`, { name: f.char({ maxLength: 40, required: true }) });
      const Doc = model(`${p}_rc_docs`, {
        title: f.char({ maxLength: 40, required: true }),
        folder_id: f.many2one((): AnyModel => Folder),
        tag_ids: f.many2many(() => Tag),
      });
      const Folder = model(`${p}_rc_folders`, {
        name: f.char({ maxLength: 40, required: true }),
        docs: f.one2many(() => Doc, "folder_id"),
      });
      // never closed: closing would close the suite's adapter, which the harness closes
      const db = await connect(ctx().db.adapter, { models: [Tag, Doc, Folder] });
      await db.sync();
      return { Tag, Doc, Folder };
    }

    test("one2many commands on a nullable inverse: set, link, unlink to null, each touching only what it names", async () => {
      const { Doc, Folder } = await folders();
      const [a, b] = (await Folder.createMany([{ name: "A" }, { name: "B" }])) as [number, number];
      const [d1, d2, d3, d4, d5] = (await Doc.createMany([
        { title: "d1", folder_id: a },
        { title: "d2", folder_id: a },
        { title: "d3", folder_id: b },
        { title: "d4" },
        { title: "d5", folder_id: b },
      ])) as [number, number, number, number, number];
      const folderOf = async () =>
        Object.fromEntries(
          (await Doc.search({ fields: ["title", "folder_id"], order: "id" })).map((d) => [d.title, d.folder_id]),
        );

      // set: A holds exactly d2 and d3 (d3 moves from B), d1 is detached to null, B keeps d5
      await Folder.updateMany([a], { docs: { set: [d2, d3] } });
      expect(await folderOf()).toEqual({ d1: null, d2: a, d3: a, d4: null, d5: b });
      expect((await Folder.get(a, { fields: ["docs"] })).docs).toEqual([d2, d3]);

      // link adds without detaching anything
      await Folder.updateMany([a], { docs: { link: [d4, d1] } });
      expect(await folderOf()).toEqual({ d1: a, d2: a, d3: a, d4: a, d5: b });

      // unlink sets the inverse to null on the named rows of this folder only
      await Folder.updateMany([a], { docs: { unlink: [d2, d4] } });
      expect(await folderOf()).toEqual({ d1: a, d2: null, d3: a, d4: null, d5: b });
      // a row of another folder is not this folder's to unlink: refused, nothing changes
      const err = await Folder.updateMany([a], { docs: { unlink: [d5] } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ field: "docs" });
      expect(await folderOf()).toEqual({ d1: a, d2: null, d3: a, d4: null, d5: b });

      // set to nothing detaches every row of this folder, and only those
      await Folder.updateMany([a], { docs: { set: [] } });
      expect(await folderOf()).toEqual({ d1: null, d2: null, d3: null, d4: null, d5: b });
      // a plain list of ids is set
      await Folder.updateMany([b], { docs: [d1] });
      expect(await folderOf()).toEqual({ d1: b, d2: null, d3: null, d4: null, d5: null });
    });

    test("many2many commands update and delete the related records themselves", async () => {
      const { Doc, Tag } = await folders();
      const [t1, t2, t3] = (await Tag.createMany([{ name: "t1" }, { name: "t2" }, { name: "t3" }])) as [
        number,
        number,
        number,
      ];
      const doc = await Doc.create({ title: "tagged", tag_ids: [t1, t2] });
      const other = await Doc.create({ title: "other", tag_ids: [t2, t3] });
      await Doc.updateMany([doc], { tag_ids: { update: { [t1]: { name: "t1 renamed" } } } });
      expect((await Tag.search({ fields: ["name"], order: "id" })).map((t) => t.name)).toEqual([
        "t1 renamed",
        "t2",
        "t3",
      ]);
      expect((await Doc.get(doc, { fields: ["tag_ids"] })).tag_ids).toEqual([t1, t2]);

      await Doc.updateMany([doc], { tag_ids: { delete: [t2] } });
      expect(await Tag.getOrNull(t2)).toBeNull();
      expect((await Tag.search({ fields: ["name"], order: "id" })).map((t) => t.id)).toEqual([t1, t3]);
      // the deleted record reads as gone from every owner's list (a cascade, or on ClickHouse a join to the target)
      expect((await Doc.get(doc, { fields: ["tag_ids"] })).tag_ids).toEqual([t1]);
      expect((await Doc.get(other, { fields: ["tag_ids"] })).tag_ids).toEqual([t3]);
    });

    test("a failing relation command rolls the whole write back", async () => {
      const { User, Role } = ctx();
      const before = await User.count();
      const err = await User.create({ name: "atomic", role_ids: { link: [99999999] } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe("role_ids");
      const caps = ctx().db.adapter.capabilities;
      // without transactions (ClickHouse) the record is written before its relation commands fail, and stays
      expect(await User.count()).toBe(caps.transactions ? before : before + 1);
      const r = await Role.create({ code: "atomic-role" });
      const u = await User.create({ name: "atomic 2", role_ids: [r] });
      await expect(User.updateMany([u], { name: "renamed", role_ids: { link: [99999998] } })).rejects.toBeInstanceOf(
        ValidationError,
      );
      expect((await User.get(u, { fields: ["name"] })).name).toBe(caps.transactions ? "atomic 2" : "renamed");
      await expect(User.updateMany([u], { role_ids: { bogus: [1] } as never })).rejects.toBeInstanceOf(ValidationError);
    });

    test("one2one reads the record whose unique many2one points here", async () => {
      const { User, Profile } = ctx();
      const u = await User.create({ name: "o2o" });
      const lonely = await User.create({ name: "o2o none" });
      const p = await Profile.create({ user_id: u, bio: "hello" });
      const row = await User.get(u, { fields: ["name", "profile"] });
      expect(row.profile).toBe(p);
      expect((await User.get(u, { nested: { profile: ["bio"] } })).profile).toMatchObject({ id: p, bio: "hello" });
      expect((await User.get(lonely, { nested: { profile: ["bio"] } })).profile).toBeNull();
      if (ctx().db.adapter.capabilities.foreignKeys) {
        await expect(Profile.create({ user_id: u })).rejects.toBeInstanceOf(IntegrityError);
      }
    });

    test("get with many2one + one2many + many2many at depth 2 is one statement", async () => {
      const { Chat, ChatMessage, User, Role, record } = ctx();
      const role = await Role.create({ code: "depth-role", name: "Depth" });
      const ann = await User.create({ name: "Depth Ann", role_ids: [role] });
      const chat = await Chat.create({ name: "depth", creator_id: ann });
      await ChatMessage.createMany([
        { chat_id: chat, author_user_id: ann, body: "a" },
        { chat_id: chat, body: "b" },
      ]);
      const { result, statements } = await record(() =>
        Chat.get(chat, {
          fields: ["name"],
          nested: {
            creator_id: ["name", { role_ids: ["code"] }],
            messages: ["body", { author_user_id: ["name", { role_ids: ["code", "name"] }] }],
          },
        }),
      );
      expect(statements).toHaveLength(1);
      expect(result.creator_id.role_ids.map((r) => r.code)).toEqual(["depth-role"]);
      expect(result.messages).toHaveLength(2);
      expect(result.messages[0]?.author_user_id).toMatchObject({
        name: "Depth Ann",
        role_ids: [{ code: "depth-role", name: "Depth" }],
      });
      expect(result.messages[1]?.author_user_id).toBeNull();
    });

    test("a page of 100 chats with creators and their last 5 messages is one statement", async () => {
      const { Chat, ChatMessage, User, record } = ctx();
      const u = await User.create({ name: "pager" });
      const chats = await Chat.createMany(
        Array.from({ length: 100 }, (_, i) => ({ name: `last5-${i}`, creator_id: u })),
      );
      await ChatMessage.createMany(
        chats.flatMap((c) => Array.from({ length: 7 }, (_, j) => ({ chat_id: c, body: `m${j}` }))),
      );
      const { result, statements } = await record(() =>
        Chat.search({
          filter: [["name", "like", "last5-"]],
          fields: ["name"],
          nested: { creator_id: ["name"], messages: { fields: ["body"], order: "id", sort: "desc", limit: 5 } },
          limit: 100,
        }),
      );
      expect(statements).toHaveLength(1);
      expect(result).toHaveLength(100);
      for (const chat of result) {
        expect(chat.creator_id.name).toBe("pager");
        expect(chat.messages.map((m) => m.body)).toEqual(["m6", "m5", "m4", "m3", "m2"]);
      }
    });

    test("dotted paths reach through many2many and to depth 2, without duplicating rows", async () => {
      const { Chat, User, Role } = ctx();
      const r = await Role.create({ code: "dot-role" });
      const u = await User.create({ name: "Dotty", role_ids: [r] });
      const chats = await Chat.createMany([
        { name: "dot-1", creator_id: u },
        { name: "dot-2", creator_id: u },
      ]);
      expect(
        (await User.search({ filter: [["role_ids.code", "in", ["dot-role", "nope"]]], fields: ["name"] })).map(
          (x) => x.id,
        ),
      ).toEqual([u]);
      const found = await Chat.search({ filter: [["creator_id.role_ids.code", "=", "dot-role"]], fields: ["name"] });
      expect(found.map((c) => c.id)).toEqual(chats);
      expect(await Chat.count({ filter: [["creator_id.role_ids.code", "=", "nope"]] })).toBe(0);
    });
  });
}
