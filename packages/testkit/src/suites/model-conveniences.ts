import { IntegrityError, MultipleRecordsFound, QueryError, RecordNotFound } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** The model conveniences of Django and Tortoise: save() with dirty tracking, refresh(), shortcuts, getOrCreate, prefetch. */
export function modelConveniences(target: ConformanceTarget) {
  return suite("model conveniences", target, (ctx) => {
    const user = async (name: string) => ctx().User.create({ name });

    test("save() inserts a new record, then holds its id and stored fields, defaults included", async () => {
      const { Chat } = ctx();
      const creator = await user("saver");
      const chat = new Chat({ name: "saved", creator_id: creator });
      await chat.save();
      expect(chat.id).toBeGreaterThan(0);
      expect(chat).toMatchObject({ name: "saved", is_archived: false, chat_type: "group", creator_id: creator });
      expect(await Chat.get(chat.id)).toMatchObject({ name: "saved", chat_type: "group" });
      // nothing changed since: no SQL
      const { statements } = await ctx().record(() => chat.save());
      expect(statements).toHaveLength(0);
    });

    test("save() on a loaded record writes only the fields changed since it was read; none changed, no SQL", async () => {
      const { Chat, Thing, record } = ctx();
      const id = await Chat.create({ name: "dirty", description: "keep", creator_id: await user("dirty") });
      const chat = await Chat.get(id);
      expect((await record(() => chat.save())).statements).toHaveLength(0);
      chat.name = "dirty renamed";
      const { statements } = await record(() => chat.save());
      const writes = statements.filter((s) => s.operation === "update" && /^\s*(update|alter)/i.test(s.sql));
      expect(writes).toHaveLength(1);
      expect(writes[0]?.sql).toMatch(/name/);
      expect(writes[0]?.sql).not.toMatch(/description|chat_type|is_archived|creator_id/);
      expect(await Chat.get(id)).toMatchObject({ name: "dirty renamed", description: "keep" });
      expect((await record(() => chat.save())).statements).toHaveLength(0);
      // a JSON value changed in place and a date are seen; update() resets the baseline
      const thingId = await Thing.create({
        label: "json",
        data: { tags: ["a"] },
        at: new Date("2024-01-01T00:00:00Z"),
      });
      const thing = await Thing.get(thingId);
      (thing.data as { tags: string[] }).tags.push("b");
      thing.at = new Date("2024-01-01T00:00:00Z");
      await thing.save();
      expect((await Thing.get(thingId)).data).toEqual({ tags: ["a", "b"] });
      await thing.update({ label: "json2" });
      expect((await record(() => thing.save())).statements).toHaveLength(0);
      // a readonly field changed is refused as update() refuses it, naming the field
      thing.secret = "x";
      await expect(thing.save()).rejects.toMatchObject({ field: "secret" });
    });

    test("save() on records read in a page with nested creators: the changed fields only, the creator by id", async () => {
      const { Chat, record } = ctx();
      const [bob, ann] = [await user("page bob"), await user("page ann")];
      const ids: number[] = [];
      for (const name of ["page a", "page b", "page c"])
        ids.push(await Chat.create({ name, description: "kept", creator_id: bob }));
      const page = await Chat.search({
        filter: [["id", "in", ids]],
        fields: ["name", "description", "is_archived"],
        nested: { creator_id: ["name"] },
        order: "id",
      });
      expect(page).toHaveLength(3);
      const [first, second, third] = page as [(typeof page)[number], (typeof page)[number], (typeof page)[number]];
      const writes = async (save: () => Promise<void>) =>
        (await record(save)).statements
          .filter((s) => s.operation === "update" && /^\s*update/i.test(s.sql))
          .map((s) => s.sql);
      // nothing changed, the nested creator renamed in place: no SQL
      (first.creator_id as { name: string }).name = "renamed in place";
      expect(await writes(() => first.save())).toEqual([]);
      second.name = "page b2";
      const [named] = await writes(() => second.save());
      expect(named).toMatch(/name/);
      expect(named).not.toMatch(/description|is_archived|creator_id/);
      (third as { creator_id: unknown }).creator_id = ann;
      const [moved] = await writes(() => third.save());
      expect(moved).toMatch(/creator_id/);
      expect(moved).not.toMatch(/description|is_archived|[^_]name/);
      expect(await writes(() => third.save())).toEqual([]);
      const again = await Chat.search({ filter: [["id", "in", ids]], fields: ["name", "creator_id"], order: "id" });
      expect(again.map((c) => [c.name, c.creator_id])).toEqual([
        ["page a", bob],
        ["page b2", bob],
        ["page c", ann],
      ]);
    });

    test("refresh() reads the record again; a deleted row is RecordNotFound; a new record has no id to refresh", async () => {
      const { Chat } = ctx();
      const id = await Chat.create({ name: "fresh", creator_id: await user("fresh") });
      const chat = await Chat.get(id, { fields: ["name", "is_archived"] });
      await Chat.updateMany([id], { name: "changed elsewhere", is_archived: true });
      await chat.refresh();
      expect({ ...chat }).toEqual({ id, name: "changed elsewhere", is_archived: true });
      // refreshed values are the new baseline
      expect((await ctx().record(() => chat.save())).statements).toHaveLength(0);
      await Chat.deleteMany([id]);
      await expect(chat.refresh()).rejects.toBeInstanceOf(RecordNotFound);
      await expect(new Chat({ name: "new" }).refresh()).rejects.toMatchObject({ name: "QueryError", field: "id" });
    });

    test("all(), filter() and exclude() are the query set's, from the model", async () => {
      const { Chat } = ctx();
      const creator = await user("short");
      await Chat.createMany([
        { name: "short a", creator_id: creator },
        { name: "short b", creator_id: creator, is_archived: true },
      ]);
      const names = (rows: { name: string }[]) =>
        rows
          .map((r) => r.name)
          .filter((n) => n.startsWith("short"))
          .sort();
      expect(names(await Chat.all())).toEqual(["short a", "short b"]);
      expect(names(await Chat.filter({ name__startswith: "short", is_archived: false }))).toEqual(["short a"]);
      expect(names(await Chat.exclude({ is_archived: true }).filter({ name__startswith: "short" }))).toEqual([
        "short a",
      ]);
      expect(await Chat.filter({ name__startswith: "short" }).count()).toBe(2);
      await expect(Chat.filter({ nope: 1 } as never).count()).rejects.toBeInstanceOf(QueryError);
    });

    test("getOrCreate: creates once from values and defaults, then gets; updateOrCreate updates with the defaults", async () => {
      const { Role } = ctx();
      const [made, created] = await Role.getOrCreate({ code: "goc" }, { name: "First" });
      expect(created).toBe(true);
      expect(made).toMatchObject({ code: "goc", name: "First" });
      const [again, createdAgain] = await Role.getOrCreate({ code: "goc" }, { name: "Ignored" });
      expect([again.id, createdAgain, again.name]).toEqual([made.id, false, "First"]);
      const [updated, created3] = await Role.updateOrCreate({ code: "goc" }, { name: "Second" });
      expect([updated.id, created3, updated.name]).toEqual([made.id, false, "Second"]);
      const [fresh, created4] = await Role.updateOrCreate({ code: "uoc" }, { name: "New" });
      expect([created4, fresh.code, fresh.name]).toEqual([true, "uoc", "New"]);
      // bad arguments are typed errors naming the field; two matches are MultipleRecordsFound
      await expect(Role.getOrCreate({ nope: 1 } as never)).rejects.toMatchObject({ name: "QueryError", field: "nope" });
      await expect(Role.getOrCreate({} as never)).rejects.toBeInstanceOf(QueryError);
      await expect(Role.getOrCreate({ code: "goc" }, 5 as never)).rejects.toMatchObject({ field: "defaults" });
      await Role.createMany([
        { code: "twin-a", name: "twin" },
        { code: "twin-b", name: "twin" },
      ]);
      await expect(Role.getOrCreate({ name: "twin" })).rejects.toBeInstanceOf(MultipleRecordsFound);
    });

    test("getOrCreate under a race on a unique key: every caller gets the one record, none fails", async () => {
      const { Role, db } = ctx();
      if (db.adapter.capabilities.uniqueConstraints === false) {
        // no unique key to lose a race on (ClickHouse): sequential calls still create once
        await Role.getOrCreate({ code: "race" });
        expect((await Role.getOrCreate({ code: "race" }))[1]).toBe(false);
        return;
      }
      // several rounds of several callers: on MySQL racing creators can deadlock (each failed insert
      // holds a shared lock on the key), which getOrCreate retries, so no caller sees it
      for (let round = 1; round <= 4; round++) {
        const code = `race-${round}`;
        const racers = await Promise.all(Array.from({ length: 6 }, () => Role.getOrCreate({ code }, { name: "r" })));
        expect(new Set(racers.map(([r]) => r.id)).size).toBe(1);
        expect(racers.filter(([, created]) => created)).toHaveLength(1);
        expect(await Role.count({ filter: [["code", "=", code]] })).toBe(1);
      }
      const results = await Promise.all(
        Array.from({ length: 4 }, () => Role.getOrCreate({ code: "race" }, { name: "r" })),
      );
      expect(new Set(results.map(([r]) => r.id)).size).toBe(1);
      expect(results.filter(([, created]) => created)).toHaveLength(1);
      expect(await Role.count({ filter: [["code", "=", "race"]] })).toBe(1);
      // inside a caller's transaction too: the losing insert rolls back to its savepoint only
      if (db.adapter.capabilities.transactions) {
        const [inTx, created] = await db.transaction(() => Role.getOrCreate({ code: "race" }));
        expect([inTx.id, created]).toEqual([results[0]?.[0].id, false]);
        await expect(Role.create({ code: "race" })).rejects.toBeInstanceOf(IntegrityError);
      }
    });

    test("prefetch(...) loads relations as nested() does, in the same statements", async () => {
      const { Chat, ChatMessage, record } = ctx();
      const creator = await user("Pre Fetch");
      const chat = await Chat.create({ name: "prefetch", creator_id: creator });
      await ChatMessage.createMany([
        { chat_id: chat, body: "p1" },
        { chat_id: chat, body: "p2" },
      ]);
      const qs = Chat.query().filter({ id: chat });
      const viaNested = await record(() => qs.nested({ messages: true as never, creator_id: true as never }).all());
      const viaPrefetch = await record(() => qs.prefetch("messages", "creator_id").all());
      expect(viaPrefetch.statements).toHaveLength(viaNested.statements.length);
      const [row] = viaPrefetch.result;
      expect(row?.creator_id.name).toBe("Pre Fetch");
      expect((row?.messages ?? []).map((m) => (m as { body?: string }).body)).toEqual(["p1", "p2"]);
      await expect(qs.prefetch("name" as never).all()).rejects.toMatchObject({ name: "QueryError", field: "name" });
      await expect(qs.prefetch("nope" as never).all()).rejects.toMatchObject({ name: "QueryError", field: "nope" });
    });
  });
}
