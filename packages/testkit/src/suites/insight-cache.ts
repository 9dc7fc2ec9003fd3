import {
  type AccessChecker,
  type CacheEvent,
  type FieldMap,
  type Filter,
  QueryError,
  UnsupportedError,
  connect,
  f,
  model,
} from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** A session reads only the chats it created and, with `hideBio`, not users' bio. */
interface Viewer {
  readonly user: number;
  readonly hideBio?: boolean;
}

const checker: AccessChecker<Viewer> = {
  check: ({ session, model, operation }) =>
    session && operation === "read" && model.endsWith("_chats")
      ? ([["creator_id", "=", session.user]] as Filter<FieldMap>)
      : true,
  deniedFields: ({ session, model }) => (session?.hideBio && model.endsWith("_users") ? ["bio"] : []),
};

const ttl = { ttl: 60_000 };

/** The query cache: hits send nothing, writes through DotORM drop what they change, sessions never share, transactions that wrote read past it. */
export function insightCache(target: ConformanceTarget) {
  return suite(
    "cache",
    target,
    (ctx) => {
      async function sent<T>(fn: () => Promise<T>): Promise<[T, number]> {
        const { result, statements } = await ctx().record(fn);
        return [result, statements.length];
      }

      test("a cached read is served without a statement, as fresh objects; get, count, exists, pages and aggregates too", async () => {
        const { db, User, Chat } = ctx();
        const ann = await User.create({ name: "cache ann", login: "cache-ann" });
        await Chat.createMany([1, 2, 3].map((i) => ({ name: `c1 chat ${i}`, creator_id: ann })));
        const qs = Chat.query().filter({ name__startswith: "c1 " }).orderBy("id").cache(ttl);
        const events: CacheEvent[] = [];
        const listener = (e: CacheEvent) => events.push(e);
        db.on("cache", listener);
        const [first, n1] = await sent(() => qs.all());
        const [second, n2] = await sent(() => qs.all());
        db.off("cache", listener);
        expect([n1, n2]).toEqual([1, 0]);
        expect(second.map((c) => ({ ...c }))).toEqual(first.map((c) => ({ ...c })));
        expect(second[0]).toBeInstanceOf(Chat);
        expect(events.map((e) => e.type)).toEqual(["miss", "hit"]);
        expect(events[1]?.tables).toContain(Chat.meta.table);
        second[0]!.name = "mutated";
        expect((await qs.all())[0]?.name).toBe("c1 chat 1");
        for (const read of [
          () => qs.count(),
          () => qs.exists(),
          () => qs.paginate({ size: 2 }),
          () => qs.aggregate({ n: ["id", "count"] }),
          () => qs.first(),
        ]) {
          const [a, sentA] = await sent(read as () => Promise<unknown>);
          const [b, sentB] = await sent(read as () => Promise<unknown>);
          expect(sentA).toBe(1);
          expect(sentB).toBe(0);
          expect(JSON.stringify(b)).toBe(JSON.stringify(a));
        }
        const [, uncached] = await sent(() => Chat.query().filter({ name__startswith: "c1 " }).orderBy("id").all());
        expect(uncached).toBe(1);
      });

      test("staleness never outlives a write in this process: updates, deletes, creates, bulk calls, relation commands, link tables, raw SQL", async () => {
        const { db, User, Chat, ChatMessage, Role } = ctx();
        const ann = await User.create({ name: "stale ann", login: "stale-ann" });
        const [chat] = await Chat.createMany([{ name: "c2 chat", creator_id: ann }]);
        const chats = Chat.query()
          .filter({ name__startswith: "c2 " })
          .nested({ messages: ["body"] })
          .cache(ttl);
        const names = async () =>
          (await chats).map((c) => [c.name, (c.messages as unknown as { body: string }[]).map((m) => m.body)]);
        expect(await names()).toEqual([["c2 chat", []]]);
        await (await Chat.get(chat!)).update({ name: "c2 renamed" });
        expect(await names()).toEqual([["c2 renamed", []]]);
        await ChatMessage.create({ chat_id: chat!, body: "hello" });
        expect(await names()).toEqual([["c2 renamed", ["hello"]]]);
        await Chat.updateMany([chat!], { messages: { create: [{ body: "via command" }] } });
        expect((await names())[0]![1]).toEqual(["hello", "via command"]);
        await ChatMessage.query().filter({ chat_id: chat! }).update({ body: "edited" });
        expect((await names())[0]![1]).toEqual(["edited", "edited"]);
        await ChatMessage.deleteMany([["chat_id", "=", chat!]]);
        expect(await names()).toEqual([["c2 renamed", []]]);
        await Chat.createMany([{ name: "c2 second", creator_id: ann }]);
        expect((await names()).map(([n]) => n)).toEqual(["c2 renamed", "c2 second"]);
        // many2many: link table rows written by a relation command
        const admin = await Role.create({ code: "c2-admin", name: "Admin" });
        const user = User.query()
          .filter({ login: "stale-ann" })
          .nested({ role_ids: ["code"] })
          .cache(ttl);
        expect((await user.get()).role_ids).toEqual([]);
        await User.updateMany([ann], { role_ids: { link: [admin] } });
        expect(((await user.get()).role_ids as { code: string }[]).map((r) => r.code)).toEqual(["c2-admin"]);
        await Role.deleteMany([admin]);
        expect((await user.get()).role_ids).toEqual([]);
        // a delete of the parent changes children through the foreign key (cascade): their cached reads are dropped too
        const messages = ChatMessage.query().filter({ body: "orphan" }).cache(ttl);
        const [gone] = await Chat.createMany([{ name: "c2 gone", creator_id: ann }]);
        await ChatMessage.create({ chat_id: gone!, body: "orphan" });
        expect(await messages.count()).toBe(1);
        await Chat.deleteMany([gone!]);
        if (db.adapter.capabilities.foreignKeys) expect(await messages.count()).toBe(0);
        // raw SQL may write anything: it drops every entry
        expect((await chats).length).toBe(2);
        await db.sql`delete from ${db.sql.id(Chat.meta.table)} where name = ${"c2 second"}`;
        expect((await chats).length).toBe(1);
      });

      test("entries are separated by session: other rules and denied fields never share a cached read", async () => {
        const { db, User, Chat } = ctx();
        const [ann, bob] = await User.createMany([
          { name: "sess ann", login: "sess-ann", bio: "ann bio" },
          { name: "sess bob", login: "sess-bob", bio: "bob bio" },
        ]);
        await Chat.createMany([
          { name: "c3 ann's", creator_id: ann! },
          { name: "c3 bob's", creator_id: bob! },
        ]);
        const qs = Chat.query().filter({ name__startswith: "c3 " }).cache(ttl);
        const as = (viewer: Viewer) => db.withSession(viewer, async () => (await qs).map((c) => c.name));
        expect(await as({ user: ann! })).toEqual(["c3 ann's"]);
        expect(await as({ user: bob! })).toEqual(["c3 bob's"]);
        expect(await as({ user: ann! })).toEqual(["c3 ann's"]);
        expect((await qs).map((c) => c.name)).toEqual(["c3 ann's", "c3 bob's"]);
        const users = User.query().filter({ login__startswith: "sess-" }).orderBy("id").cache(ttl);
        expect((await db.withSession({ user: ann! }, () => users.all())).map((u) => u.bio)).toEqual([
          "ann bio",
          "bob bio",
        ]);
        const hidden = await db.withSession({ user: ann!, hideBio: true }, () => users.all());
        expect(hidden.map((u) => Object.keys(u).includes("bio"))).toEqual([false, false]);
      });

      test("a transaction that wrote a table reads past the cache; commit and rollback leave no stale or uncommitted entry", async () => {
        const { db, User } = ctx();
        const id = await User.create({ name: "tx before", login: "tx-1" });
        const name = () =>
          User.query()
            .filter({ login: "tx-1" })
            .cache(ttl)
            .get()
            .then((u) => u.name);
        if (!db.adapter.capabilities.transactions) {
          await expect(db.transaction(async () => undefined)).rejects.toBeInstanceOf(UnsupportedError);
          return;
        }
        expect(await name()).toBe("tx before");
        const events: CacheEvent[] = [];
        const listener = (e: CacheEvent) => events.push(e);
        db.on("cache", listener);
        await expect(
          db.transaction(async () => {
            expect(await name()).toBe("tx before");
            await User.updateMany([id], { name: "tx uncommitted" });
            expect(await name()).toBe("tx uncommitted");
            throw new Error("roll back");
          }),
        ).rejects.toThrow("roll back");
        db.off("cache", listener);
        expect(events.map((e) => e.type)).toContain("bypass");
        expect(await name()).toBe("tx before");
        await db.transaction(async () => {
          await User.updateMany([id], { name: "tx committed" });
          expect(await name()).toBe("tx committed");
        });
        expect(await name()).toBe("tx committed");
      });

      test("a transaction's writes drop the cache once, when it ends: cached entries stay until then, none is served stale after", async () => {
        const { db, User } = ctx();
        if (!db.adapter.capabilities.transactions) return; // refused: asserted by the test above
        const id = await User.create({ name: "once before", login: "once-1" });
        const name = () =>
          User.query()
            .filter({ login: "once-1" })
            .cache(ttl)
            .get()
            .then((u) => u.name);
        expect(await name()).toBe("once before");
        const events: CacheEvent[] = [];
        const listener = (e: CacheEvent) => events.push(e);
        db.on("cache", listener);
        let inside: string[] = [];
        await db.transaction(async () => {
          await User.updateMany([id], { name: "once a" });
          await User.updateMany([id], { name: "once b" });
          await User.create({ name: "once other", login: "once-2" });
          expect(await name()).toBe("once b");
          inside = events.map((e) => e.type);
        });
        db.off("cache", listener);
        // three writes, nothing dropped while the transaction ran (its own reads went past the cache)
        expect(inside).toEqual(["bypass"]);
        const dropped = events.filter((e) => e.type === "invalidate");
        expect(dropped).toHaveLength(1);
        expect(dropped[0]?.tables).toEqual([User.meta.table]);
        expect(await name()).toBe("once b");
      });

      test("entries expire after their ttl; hostile cache options are refused", async () => {
        const { User } = ctx();
        await User.create({ name: "ttl", login: "ttl-1" });
        const qs = User.query().filter({ login: "ttl-1" }).cache({ ttl: 40 });
        await qs;
        expect((await sent(() => qs.all()))[1]).toBe(0);
        await new Promise((r) => setTimeout(r, 80));
        expect((await sent(() => qs.all()))[1]).toBe(1);
        for (const bad of [
          { ttl: 0 },
          { ttl: -5 },
          { ttl: 1.5 },
          { ttl: "60" },
          { ttl: 10, extra: 1 },
          null,
          [],
          "60s",
        ]) {
          expect(() => User.query().cache(bad as never)).toThrow(QueryError);
        }
        await expect(User.search({ cache: { ttl: Number.NaN } } as never)).rejects.toBeInstanceOf(QueryError);
      });

      test("the model option cache: { ttl } caches every read of the model; cache(false) opts one out", async () => {
        const { namespace } = ctx();
        const Stage = model(
          `${ctx().prefix}_cached_stages`,
          { name: f.char({ maxLength: 40, required: true }) },
          { cache: ttl },
        );
        const db = await connect(await target.open(`${namespace}_m`), { models: [Stage] });
        try {
          await db.sync();
          const id = await Stage.create({ name: "new" });
          let statements = 0;
          db.on("query", () => statements++);
          await Stage.get(id);
          await Stage.get(id);
          await Stage.search({});
          await Stage.search({});
          expect(statements).toBe(2);
          await Stage.query().cache(false);
          await Stage.query().cache(false);
          expect(statements).toBe(4);
          await Stage.updateMany([id], { name: "won" });
          expect((await Stage.get(id)).name).toBe("won");
        } finally {
          await db.close();
          await target.drop?.(`${namespace}_m`);
        }
      });
    },
    { access: checker },
  );
}
