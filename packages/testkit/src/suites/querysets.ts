import { MultipleRecordsFound, QueryError, RecordNotFound, UnsupportedError } from "@dotorm/core";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Query sets, lookups, aggregation, keyset pages, streaming, upserts, raw SQL. */
export function querysets(target: ConformanceTarget) {
  return suite("querysets", target, (ctx) => {
    async function seed(tag: string) {
      const { User, Chat, ChatMessage } = ctx();
      const ann = await User.create({ name: `Ann ${tag}`, login: `ann-${tag}` });
      const bob = await User.create({ name: `Bob ${tag}`, login: `bob-${tag}` });
      const chats = await Chat.createMany([
        { name: `${tag} General`, creator_id: ann, chat_type: "group" },
        { name: `${tag} Random_50%`, creator_id: ann, chat_type: "channel", description: "fun" },
        { name: `${tag} Direct`, creator_id: bob, chat_type: "direct", is_archived: true },
      ]);
      await ChatMessage.createMany([
        { chat_id: chats[0] as number, author_user_id: ann, body: "a" },
        { chat_id: chats[0] as number, author_user_id: bob, body: "b" },
        { chat_id: chats[1] as number, author_user_id: ann, body: "c" },
      ]);
      return { ann, bob, chats };
    }

    test("filter, exclude, where, orderBy, limit, offset, only, all and await", async () => {
      const { Chat } = ctx();
      const { chats, ann } = await seed("qs1");
      const base = Chat.query().filter({ name__startswith: "qs1 " });
      expect((await base).map((c) => c.id)).toEqual(chats);
      expect((await base.exclude({ is_archived: true }).orderBy("-id").all()).map((c) => c.id)).toEqual([
        chats[1],
        chats[0],
      ]);
      expect(
        (await base.where([["chat_type", "in", ["direct", "channel"]]]).only("name")).map((c) => Object.keys(c).sort()),
      ).toEqual([
        ["id", "name"],
        ["id", "name"],
      ]);
      expect((await base.orderBy("name").limit(1).offset(1)).map((c) => c.name)).toEqual(["qs1 General"]);
      expect((await base.filter({ creator_id: ann, creator_id__name__icontains: "ANN" })).length).toBe(2);
      // the query set is immutable: base is unchanged by the calls above
      expect(await base.count()).toBe(3);
    });

    test("every lookup", async () => {
      const { Chat } = ctx();
      const { chats } = await seed("qs2");
      const ids = async (lookups: Parameters<ReturnType<typeof Chat.query>["filter"]>[0]) =>
        (await Chat.query().filter({ name__startswith: "qs2 " }).filter(lookups).orderBy("id")).map((c) => c.id);
      expect(await ids({ name__exact: "qs2 General" })).toEqual([chats[0]]);
      expect(await ids({ name__iexact: "QS2 GENERAL" })).toEqual([chats[0]]);
      expect(await ids({ name__contains: "50%" })).toEqual([chats[1]]);
      expect(await ids({ name__icontains: "random_" })).toEqual([chats[1]]);
      expect(await ids({ name__contains: "_5" })).toEqual([chats[1]]);
      expect(await ids({ name__in: ["qs2 Direct", "nope"] })).toEqual([chats[2]]);
      expect(await ids({ id__gt: chats[0], id__lte: chats[2] })).toEqual([chats[1], chats[2]]);
      expect(await ids({ id__gte: chats[1], id__lt: chats[2] })).toEqual([chats[1]]);
      expect(await ids({ name__istartswith: "QS2 d" })).toEqual([chats[2]]);
      expect(await ids({ name__endswith: "50%" })).toEqual([chats[1]]);
      expect(await ids({ name__iendswith: "DIRECT" })).toEqual([chats[2]]);
      expect(await ids({ description__isnull: false })).toEqual([chats[1]]);
      expect(await ids({ description__isnull: true })).toEqual([chats[0], chats[2]]);
      expect(await ids({ id__range: [chats[1], chats[2]] })).toEqual([chats[1], chats[2]]);
      expect(await ids({ chat_type__ne: "group" })).toEqual([chats[1], chats[2]]);
      expect(await ids({ messages__body: "c" })).toEqual([chats[1]]);
      await expect(
        Chat.query()
          .filter({ nope__exact: 1 } as never)
          .all(),
      ).rejects.toBeInstanceOf(QueryError);
    });

    test("first, last (reversed order), get, count, exists, values", async () => {
      const { Chat } = ctx();
      const { chats } = await seed("qs3");
      const qs = Chat.query().filter({ name__startswith: "qs3 " });
      expect((await qs.first())?.id).toBe(chats[0]);
      expect((await qs.last())?.id).toBe(chats[2]);
      expect((await qs.orderBy("-name").last())?.name).toBe("qs3 Direct");
      expect((await qs.get({ chat_type: "channel" })).id).toBe(chats[1]);
      await expect(qs.get({ chat_type: "nope" as never })).rejects.toBeInstanceOf(QueryError);
      await expect(qs.get({ name: "qs3 none" })).rejects.toBeInstanceOf(RecordNotFound);
      await expect(qs.get()).rejects.toBeInstanceOf(MultipleRecordsFound);
      expect(await qs.count()).toBe(3);
      expect(await qs.filter({ is_archived: true }).exists()).toBe(true);
      expect(await qs.filter({ name: "zzz" }).exists()).toBe(false);
      const values = await qs.orderBy("id").values("name");
      expect(values[0]).toEqual({ name: "qs3 General" });
      expect((await qs.orderBy("id").values("id", "name"))[0]).toEqual({ id: chats[0], name: "qs3 General" });
      expect(Object.getPrototypeOf(values[0])).toBe(Object.prototype);
    });

    test("update and delete return counts and touch only matching rows", async () => {
      const { Chat } = ctx();
      await seed("qs4");
      const qs = Chat.query().filter({ name__startswith: "qs4 " });
      expect(await qs.filter({ chat_type: "group" }).update({ description: "updated" })).toBe(1);
      expect(await qs.filter({ description: "updated" }).count()).toBe(1);
      expect(await qs.exclude({ is_archived: true }).delete()).toBe(2);
      expect(await qs.count()).toBe(1);
      expect(() => qs.limit(1).delete()).toThrow(QueryError);
    });

    test("aggregate, groupBy with a nested many2one, having, ordering by an aggregate", async () => {
      const { Chat, ChatMessage } = ctx();
      const { ann, bob, chats } = await seed("qs5");
      const totals = await Chat.query()
        .filter({ name__startswith: "qs5 " })
        .aggregate({
          n: ["id", "count"],
          creators: ["creator_id", "count_distinct"],
          first: ["id", "min"],
          last: ["id", "max"],
        });
      expect(totals).toEqual({ n: 3, creators: 2, first: chats[0], last: chats[2] });
      const byCreator = await Chat.query()
        .filter({ name__startswith: "qs5 " })
        .groupBy("creator_id")
        .nested({ creator_id: ["name"] })
        .orderBy("-n")
        .aggregate({ n: ["id", "count"] });
      expect(byCreator).toEqual([
        { creator_id: { id: ann, name: "Ann qs5" }, n: 2 },
        { creator_id: { id: bob, name: "Bob qs5" }, n: 1 },
      ]);
      const busy = await ChatMessage.query()
        .filter({ chat_id__name__startswith: "qs5 " })
        .groupBy("chat_id")
        .having([["n", ">", 1]])
        .aggregate({ n: ["id", "count"] });
      expect(busy).toEqual([{ chat_id: chats[0], n: 2 }]);
      await expect(Chat.query().aggregate({ s: ["name", "sum"] })).rejects.toBeInstanceOf(QueryError);
    });

    test("sum and avg, over all rows and grouped, and having on each", async () => {
      const { Thing } = ctx();
      await Thing.createMany([
        { label: "sa-1", kind: "a", count: 1, ratio: 0.5 },
        { label: "sa-2", kind: "a", count: 2, ratio: 1.5 },
        { label: "sa-3", kind: "a", count: 6, ratio: 4 },
        { label: "sa-4", kind: "b", count: 10, ratio: 2 },
        { label: "sa-5", kind: "b", count: 20, ratio: null },
      ]);
      const qs = Thing.query().filter({ label__startswith: "sa-" });
      // avg skips nulls: ratio averages over four rows
      expect(
        await qs.aggregate({
          total: ["count", "sum"],
          mean: ["count", "avg"],
          r: ["ratio", "sum"],
          ra: ["ratio", "avg"],
        }),
      ).toEqual({ total: 39, mean: 7.8, r: 8, ra: 2 });
      expect(
        await qs
          .groupBy("kind")
          .orderBy("kind")
          .aggregate({ total: ["count", "sum"], mean: ["count", "avg"] }),
      ).toEqual([
        { kind: "a", total: 9, mean: 3 },
        { kind: "b", total: 30, mean: 15 },
      ]);
      expect(
        await qs
          .groupBy("kind")
          .having([["total", ">", 10]])
          .aggregate({ total: ["count", "sum"] }),
      ).toEqual([{ kind: "b", total: 30 }]);
      expect(
        await qs
          .groupBy("kind")
          .having([["mean", "<", 5]])
          .aggregate({ mean: ["count", "avg"] }),
      ).toEqual([{ kind: "a", mean: 3 }]);
      expect(
        await qs
          .groupBy("kind")
          .having([["mean", ">", 100]])
          .aggregate({ mean: ["count", "avg"] }),
      ).toEqual([]);
    });

    test("keyset pages are stable under inserts, for any order, ties broken by id", async () => {
      const { Role } = ctx();
      const codes = ["k-e", "k-b", "k-d", "k-a", "k-c", "k-b2"];
      await Role.createMany(codes.map((code, i) => ({ code, name: i % 2 ? "odd" : null })));
      const qs = Role.query().filter({ code__startswith: "k-" }).orderBy("-name", "code");
      const seen: string[] = [];
      let page = await qs.paginate({ size: 2 });
      seen.push(...page.data.map((r) => r.code));
      await Role.create({ code: "k-0" }); // NULL name, code "k-0": sorts before the cursor, so it must not show up
      await Role.create({ code: "k-z", name: "odd" }); // sorts after the cursor: it must show up, once
      while (page.cursor) {
        page = await qs.paginate({ size: 2, after: page.cursor });
        seen.push(...page.data.map((r) => r.code));
      }
      // NULL names first (descending), then "odd"; codes ascending within each
      expect(seen).toEqual(["k-c", "k-d", "k-e", "k-a", "k-b", "k-b2", "k-z"]);
      await expect(qs.paginate({ size: 2, after: "garbage" })).rejects.toBeInstanceOf(QueryError);
    });

    test("stream yields every row in order with bounded batches", async () => {
      const { Role } = ctx();
      await Role.createMany(Array.from({ length: 250 }, (_, i) => ({ code: `stream-${String(i).padStart(3, "0")}` })));
      const codes: string[] = [];
      for await (const role of Role.query()
        .filter({ code__startswith: "stream-" })
        .orderBy("code")
        .stream({ batchSize: 64 })) {
        codes.push(role.code);
      }
      expect(codes).toHaveLength(250);
      expect(codes[0]).toBe("stream-000");
      expect(codes[249]).toBe("stream-249");
      // other queries may run while a stream is open (no deadlock on single-session engines)
      let inside = 0;
      for await (const role of Role.query().filter({ code__startswith: "stream-" }).stream({ batchSize: 100 })) {
        if (role.code.endsWith("0")) inside += await Role.query().filter({ code: role.code }).count();
      }
      expect(inside).toBe(25);
      // stopping early releases the cursor: the database stays usable
      for await (const _ of Role.query().stream({ batchSize: 10 })) break;
      expect(await Role.query().filter({ code__startswith: "stream-" }).count()).toBe(250);
    });

    test("stream holds about one batch in memory: the heap grows far less than when every row is held", async () => {
      const { Thing } = ctx();
      const total = 6000;
      const notes = "m".repeat(2000); // 12 MB of text in all, 200 kB per batch of 100
      for (let i = 0; i < total; i += 1000) {
        await Thing.createMany(Array.from({ length: 1000 }, (_, k) => ({ label: `mem-${i + k}`, notes })));
      }
      setFlagsFromString("--expose-gc");
      const gc = runInNewContext("gc") as () => void;
      const heap = () => {
        gc();
        return process.memoryUsage().heapUsed;
      };
      const qs = Thing.query().filter({ label__startswith: "mem-" }).only("label", "notes");
      const base = heap();
      let peak = 0;
      let seen = 0;
      for await (const row of qs.stream({ batchSize: 100 })) {
        if (row.notes?.length === notes.length) seen++;
        if (seen % 500 === 0) peak = Math.max(peak, heap() - base);
      }
      expect(seen).toBe(total);
      // the same measure sees every row when they are all held at once
      const all = await qs;
      const held = heap() - base;
      expect(all).toHaveLength(total);
      expect(held).toBeGreaterThan(total * notes.length * 0.8);
      expect(peak, `peak ${peak} bytes while streaming, ${held} bytes held`).toBeLessThan(held / 4);
    });

    test("stream with nested relations: every record whole, its children in order, across batch boundaries", async () => {
      const { Chat, ChatMessage, User } = ctx();
      const user = await User.create({ name: "streamer" });
      const chats = await Chat.createMany(
        Array.from({ length: 7 }, (_, i) => ({ name: `nested-stream-${i}`, creator_id: user })),
      );
      await ChatMessage.createMany(
        chats.flatMap((chat, c) => Array.from({ length: c % 4 }, (_, m) => ({ chat_id: chat, body: `c${c}m${m}` }))),
      );
      const seen: { name: string; creator: string; bodies: string[] }[] = [];
      const stream = Chat.query()
        .filter({ name__startswith: "nested-stream-" })
        .orderBy("name")
        .nested({ creator_id: ["name"], messages: { fields: ["body"], order: "id", sort: "desc", limit: 2 } })
        .stream({ batchSize: 3 });
      for await (const chat of stream)
        seen.push({ name: chat.name, creator: chat.creator_id.name, bodies: chat.messages.map((m) => String(m.body)) });
      expect(seen).toEqual(
        chats.map((_, c) => ({
          name: `nested-stream-${c}`,
          creator: "streamer",
          bodies: Array.from({ length: c % 4 }, (_, m) => `c${c}m${m}`)
            .reverse()
            .slice(0, 2),
        })),
      );
    });

    test("createMany upserts on a unique field", async () => {
      const { User, db } = ctx();
      const [a, b] = await User.createMany([
        { name: "Up A", login: "up-a" },
        { name: "Up B", login: "up-b" },
      ]);
      if (db.adapter.capabilities.uniqueConstraints === false) {
        // No unique constraint to conflict on (ClickHouse): upserts are refused, nothing is written.
        await expect(
          User.createMany([{ name: "Up A2", login: "up-a" }], { onConflict: ["login"], update: ["name"] }),
        ).rejects.toBeInstanceOf(UnsupportedError);
        expect((await User.get(a as number)).name).toBe("Up A");
        expect(b).toBeGreaterThan(0);
        return;
      }
      const ids = await User.createMany(
        [
          { name: "Up A2", login: "up-a" },
          { name: "Up C", login: "up-c" },
        ],
        { onConflict: ["login"], update: ["name"] },
      );
      expect(ids[0]).toBe(a);
      expect(ids[1]).not.toBe(b);
      expect((await User.get(a as number)).name).toBe("Up A2");
      const kept = await User.createMany([{ name: "ignored", login: "up-b" }], { onConflict: ["login"] });
      expect(kept).toEqual([b]);
      expect((await User.get(b as number)).name).toBe("Up B");
      await expect(User.createMany([{ name: "x" }], { onConflict: ["name"] })).rejects.toBeInstanceOf(QueryError);
    });

    test("raw SQL binds every value and quotes identifiers explicitly", async () => {
      const { db, User } = ctx();
      await User.create({ name: "Raw'); drop table x; --", login: "raw-1" });
      const hostile = "Raw'); drop table x; --";
      const rows =
        await db.sql`select ${db.sql.id("name")} as n from ${db.sql.id(User.meta.table)} where name = ${hostile}`;
      expect(rows).toEqual([{ n: hostile }]);
      const users = await db.sql.as(
        User,
      )`select id, name, login from ${db.sql.id(User.meta.table)} where login = ${"raw-1"}`;
      expect(users[0]).toBeInstanceOf(User);
      expect(users[0]?.login).toBe("raw-1");
    });

    test("explain() returns the database's plan text of the statement a search sends", async () => {
      const { Chat, record } = ctx();
      const qs = Chat.query().filter({ name: "x" });
      const { statements: searched } = await record(() => qs.all());
      const { result: plan, statements } = await record(() => qs.explain());
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatchObject({
        sql: `EXPLAIN ${searched[0]?.sql}`,
        params: searched[0]?.params,
        operation: "explain",
      });
      expect(typeof plan).toBe("string");
      expect(plan.trim()).not.toBe("");
    });
  });
}
