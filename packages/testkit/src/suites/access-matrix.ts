import { AccessDenied, RecordNotFound, type RolesConfig, rolesChecker } from "@dotorm/core";
import { expect, test } from "vitest";
import { type SuiteContext, suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** A session of the access matrix. */
interface Session {
  userId: number;
  roles: string[];
  admin?: boolean;
}

/**
 * The access matrix: three roles (guest, user, manager inheriting user) and an admin, over users,
 * chats and messages, on every path (direct, nested, dotted filters, bulk, query sets, aggregates,
 * streams, keyset pages). Each cell checks the exact rows or the error, and that a denied write
 * changed nothing. Includes the two bugs of the original DotORM: nested rows leaking past the
 * rules, and a denied create left in the table.
 */
export function accessMatrix(target: ConformanceTarget) {
  let context: () => SuiteContext;
  const config = (): RolesConfig => {
    const { User, Chat, ChatMessage } = context();
    const [users, chats, messages] = [User.meta.table, Chat.meta.table, ChatMessage.meta.table];
    return {
      roles: [{ code: "guest" }, { code: "user" }, { code: "manager", inherits: ["user"] }],
      rights: [
        { model: users, read: true },
        { model: users, role: "manager", create: true, update: true, delete: true },
        { model: chats, role: "guest", read: true },
        { model: chats, role: "user", read: true, create: true, update: true },
        { model: chats, role: "manager", delete: true },
        { model: messages, role: "user", read: true, create: true, update: true, delete: true },
      ],
      rules: [
        { model: chats, role: "guest", operations: ["read"], filter: [["is_archived", "=", false]] },
        { model: chats, role: "user", filter: [["creator_id", "=", "{{user_id}}"]] },
        { model: chats, role: "manager", filter: [] },
        // global: nobody sees messages of archived chats
        { model: messages, operations: ["read"], filter: [["chat_id.is_archived", "=", false]] },
        {
          model: messages,
          role: "user",
          operations: ["update", "delete"],
          filter: [["author_user_id", "=", "{{user_id}}"]],
        },
      ],
      fields: [
        { model: chats, field: "description", read: ["user"] },
        { model: users, field: "login", write: ["manager"] },
      ],
    };
  };
  const access = rolesChecker<Session>(
    { load: async () => config() },
    { rolesOf: (s) => s.roles, isAdmin: (s) => s.admin === true, context: (s) => ({ user_id: s.userId }) },
  );

  return suite(
    "access-matrix",
    target,
    (ctx) => {
      context = ctx;
      let seeded: Awaited<ReturnType<typeof seed>> | undefined;
      async function seed() {
        const { db, User, Chat, ChatMessage } = ctx();
        return db.sudo(async () => {
          const [ann, bob, gus, meg] = (await User.createMany([
            { name: "Ann", login: "am-ann" },
            { name: "Bob", login: "am-bob" },
            { name: "Gus", login: "am-gus" },
            { name: "Meg", login: "am-meg" },
          ])) as [number, number, number, number];
          const [annOpen, annArchived, bobOpen] = (await Chat.createMany([
            { name: "ann open", creator_id: ann, description: "secret plans" },
            { name: "ann archived", creator_id: ann, is_archived: true },
            { name: "bob open", creator_id: bob },
          ])) as [number, number, number];
          const [m1, m2, m3, m4] = (await ChatMessage.createMany([
            { chat_id: annOpen, author_user_id: ann, body: "ann in ann open" },
            { chat_id: annOpen, author_user_id: bob, body: "bob in ann open" },
            { chat_id: annArchived, author_user_id: ann, body: "ann in archived" },
            { chat_id: bobOpen, author_user_id: bob, body: "bob in bob open" },
          ])) as [number, number, number, number];
          const s = {
            ann: { userId: ann, roles: ["user"] },
            bob: { userId: bob, roles: ["user"] },
            gus: { userId: gus, roles: ["guest"] },
            meg: { userId: meg, roles: ["manager"] },
            admin: { userId: 0, roles: [], admin: true },
          } satisfies Record<string, Session>;
          return { ann, bob, gus, meg, annOpen, annArchived, bobOpen, m1, m2, m3, m4, s };
        });
      }
      const data = async () => (seeded ??= await seed());
      const as = <T>(session: Session, fn: () => Promise<T>) => ctx().db.withSession(session, fn);
      const chatIds = async (session: Session) =>
        (await as(session, () => ctx().Chat.search({ fields: ["name"] }))).map((c) => c.id);

      test("read, direct: each role sees exactly its rows; no session sees nothing", async () => {
        const d = await data();
        const { Chat } = ctx();
        expect(await chatIds(d.s.ann)).toEqual([d.annOpen, d.annArchived]);
        expect(await chatIds(d.s.bob)).toEqual([d.bobOpen]);
        expect(await chatIds(d.s.gus)).toEqual([d.annOpen, d.bobOpen]);
        expect(await chatIds(d.s.meg)).toEqual([d.annOpen, d.annArchived, d.bobOpen]);
        expect(await chatIds(d.s.admin)).toEqual([d.annOpen, d.annArchived, d.bobOpen]);
        await expect(Chat.search({})).rejects.toBeInstanceOf(AccessDenied);
        expect(await as(d.s.bob, () => Chat.count())).toBe(1);
        expect(await as(d.s.bob, () => Chat.exists({ filter: [["id", "=", d.annOpen]] }))).toBe(false);
        expect(await as(d.s.bob, () => Chat.getOrNull(d.annOpen))).toBeNull();
        await expect(as(d.s.gus, () => ctx().ChatMessage.search({}))).rejects.toBeInstanceOf(AccessDenied);
      });

      test("read, nested: related rows follow their own rules (the original leaked them)", async () => {
        const d = await data();
        const { Chat } = ctx();
        const mine = await as(d.s.ann, () => Chat.search({ fields: ["name"], nested: { messages: ["body"] } }));
        expect(mine.map((c) => [c.id, c.messages.map((m) => m.id)])).toEqual([
          [d.annOpen, [d.m1, d.m2]],
          [d.annArchived, []], // the global rule hides messages of archived chats, even nested
        ]);
        // a guest has no read right on messages at all: asking for them nested fails rather than lies
        await expect(as(d.s.gus, () => Chat.get(d.annOpen, { nested: { messages: ["body"] } }))).rejects.toBeInstanceOf(
          AccessDenied,
        );
        // a many2one to a row the session may not read reads as null
        const msgs = await as(d.s.bob, () =>
          ctx().ChatMessage.search({ fields: ["body"], nested: { chat_id: ["name"] } }),
        );
        expect(msgs.map((m) => [m.id, m.chat_id?.name ?? null])).toEqual([
          [d.m1, null],
          [d.m2, null],
          [d.m4, "bob open"],
        ]);
      });

      test("read, dotted filter paths: hidden related rows do not match; no right on the path model is denied", async () => {
        const d = await data();
        const { Chat } = ctx();
        const byBody = (s: Session, body: string) =>
          as(s, () => Chat.search({ filter: [["messages.body", "=", body]], fields: ["name"] }));
        expect((await byBody(d.s.ann, "ann in ann open")).map((c) => c.id)).toEqual([d.annOpen]);
        expect(await byBody(d.s.ann, "ann in archived")).toEqual([]);
        await expect(byBody(d.s.gus, "ann in ann open")).rejects.toBeInstanceOf(AccessDenied);
        const qs = await as(d.s.meg, () => Chat.query().filter({ messages__body__icontains: "archived" }).all());
        expect(qs).toEqual([]);
      });

      test("field rules: a denied field is refused when asked for, left out by default, refused on write and in filters", async () => {
        const d = await data();
        const { Chat, User } = ctx();
        const guestView = await as(d.s.gus, () => Chat.get(d.annOpen));
        expect("description" in guestView).toBe(false);
        expect((await as(d.s.ann, () => Chat.get(d.annOpen))).description).toBe("secret plans");
        const err = await as(d.s.gus, () => Chat.get(d.annOpen, { fields: ["description"] })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AccessDenied);
        expect((err as AccessDenied).field).toBe("description");
        await expect(
          as(d.s.gus, () => Chat.search({ filter: [["description", "ilike", "secret"]] })),
        ).rejects.toBeInstanceOf(AccessDenied);
        await expect(as(d.s.gus, () => Chat.search({ order: "description" }))).rejects.toBeInstanceOf(AccessDenied);
        await expect(as(d.s.ann, () => User.updateMany([d.ann], { login: "hacked" }))).rejects.toBeInstanceOf(
          AccessDenied,
        );
        expect((await ctx().db.sudo(() => User.get(d.ann))).login).toBe("am-ann");
      });

      test("create: rules checked on the new rows; a denied row is never committed (the original kept it)", async () => {
        const d = await data();
        const { Chat, db } = ctx();
        const before = await db.sudo(() => Chat.count());
        await expect(as(d.s.bob, () => Chat.create({ name: "forged", creator_id: d.ann }))).rejects.toBeInstanceOf(
          AccessDenied,
        );
        await expect(as(d.s.gus, () => Chat.create({ name: "guest chat", creator_id: d.gus }))).rejects.toBeInstanceOf(
          AccessDenied,
        );
        await expect(
          as(d.s.bob, () =>
            Chat.createMany([
              { name: "ok", creator_id: d.bob },
              { name: "forged 2", creator_id: d.ann },
            ]),
          ),
        ).rejects.toBeInstanceOf(AccessDenied);
        expect(await db.sudo(() => Chat.count())).toBe(before);
        const id = await as(d.s.bob, () => Chat.create({ name: "bob new", creator_id: d.bob }));
        expect(await db.sudo(() => Chat.count())).toBe(before + 1);
        await db.sudo(() => Chat.deleteMany([id]));
      });

      test("update and delete: single, bulk and query set; any row outside the rules denies all and changes nothing", async () => {
        const d = await data();
        const { Chat, ChatMessage, db } = ctx();
        const names = () => db.sudo(async () => (await Chat.search({ fields: ["name"] })).map((c) => c.name));
        const snapshot = await names();
        // an id Bob cannot read is not found, as in get; nothing changes
        await expect(
          as(d.s.bob, () => Chat.updateMany([d.bobOpen, d.annOpen], { name: "mine now" })),
        ).rejects.toMatchObject({ id: d.annOpen });
        await expect(
          as(d.s.bob, () => Chat.updateMany([d.bobOpen, d.annOpen], { name: "mine now" })),
        ).rejects.toBeInstanceOf(RecordNotFound);
        await expect(as(d.s.ann, () => Chat.deleteMany([d.annOpen]))).rejects.toBeInstanceOf(AccessDenied); // users may not delete chats
        await expect(as(d.s.ann, () => ChatMessage.deleteMany([d.m1, d.m2]))).rejects.toBeInstanceOf(AccessDenied); // m2 is Bob's, and Ann reads it
        // a filter Ann reads two messages through, one of them Bob's: denied as a whole
        await expect(
          as(d.s.ann, () => ChatMessage.updateMany([["body", "like", "ann open"]], { body: "x" })),
        ).rejects.toBeInstanceOf(AccessDenied);
        await expect(
          as(d.s.ann, () => ChatMessage.query().filter({ body__contains: "ann open" }).delete()),
        ).rejects.toBeInstanceOf(AccessDenied);
        expect(await names()).toEqual(snapshot);
        // a filter matches only the rows the session reads: Bob's filter over every "open" chat touches his own
        expect(
          await as(d.s.bob, () => Chat.updateMany([["name", "like", "open"]], { description: "bob was here" })),
        ).toBe(1);
        expect(
          await as(d.s.bob, () => Chat.query().filter({ name__contains: "open" }).update({ description: null })),
        ).toBe(1);
        expect((await db.sudo(() => Chat.get(d.annOpen))).description).toBe("secret plans");
        expect(await db.sudo(() => ChatMessage.count())).toBe(4);
        expect(await as(d.s.bob, () => Chat.updateMany([d.bobOpen], { description: "bob's" }))).toBe(1);
        const bobChat = await as(d.s.bob, () => Chat.get(d.bobOpen));
        await as(d.s.bob, () => bobChat.update({ name: "bob open" }));
        // outside any session the same record method is denied: the rules follow the caller, not the object
        await expect(bobChat.update({ name: "no session" })).rejects.toBeInstanceOf(AccessDenied);
        expect(await as(d.s.meg, () => Chat.query().filter({ name: "nothing" }).delete())).toBe(0);
      });

      test("a rule placeholder the session fills with null matches nothing (it does not become IS NULL)", async () => {
        const d = await data();
        const { ChatMessage, db } = ctx();
        const orphan = await db.sudo(() => ChatMessage.create({ chat_id: d.bobOpen, body: "nobody's" }));
        const nobody: Session = { userId: null as unknown as number, roles: ["user"] };
        try {
          // the message is readable (the read rule has no placeholder) but the update rule holds for no row
          expect((await as(nobody, () => ChatMessage.get(orphan))).body).toBe("nobody's");
          await expect(as(nobody, () => ChatMessage.updateMany([orphan], { body: "taken" }))).rejects.toBeInstanceOf(
            AccessDenied,
          );
          await expect(
            as(nobody, () => ChatMessage.updateMany([["author_user_id", "=", null]], { body: "taken" })),
          ).rejects.toBeInstanceOf(AccessDenied);
          await expect(as(nobody, () => ChatMessage.deleteMany([orphan]))).rejects.toBeInstanceOf(AccessDenied);
          expect(await as(nobody, () => ctx().Chat.count())).toBe(0);
          expect((await db.sudo(() => ChatMessage.get(orphan))).body).toBe("nobody's");
        } finally {
          await db.sudo(() => ChatMessage.deleteMany([orphan]));
        }
      });

      test("aggregates, streams and keyset pages see only permitted rows", async () => {
        const d = await data();
        const { Chat } = ctx();
        expect(await as(d.s.ann, () => Chat.query().aggregate({ n: ["id", "count"] }))).toEqual({ n: 2 });
        const grouped = await as(d.s.gus, () =>
          Chat.query()
            .groupBy("creator_id")
            .aggregate({ n: ["id", "count"] }),
        );
        expect(grouped).toEqual([
          { creator_id: d.ann, n: 1 },
          { creator_id: d.bob, n: 1 },
        ]);
        if (ctx().db.adapter.driver.stream) {
          const streamed: number[] = [];
          await as(d.s.bob, async () => {
            for await (const c of Chat.query().stream({ batchSize: 1 })) streamed.push(c.id);
          });
          expect(streamed).toEqual([d.bobOpen]);
        }
        const page = await as(d.s.ann, () => Chat.query().paginate({ size: 1 }));
        const next = await as(d.s.ann, () => Chat.query().paginate({ size: 1, after: page.cursor }));
        expect([...page.data, ...next.data].map((c) => c.id)).toEqual([d.annOpen, d.annArchived]);
        expect(next.cursor).toBeNull();
      });

      test("sessions nest and restore, never leak across concurrent requests; sudo bypasses", async () => {
        const d = await data();
        const { Chat, db } = ctx();
        await as(d.s.ann, async () => {
          expect(await chatIds(d.s.bob)).toEqual([d.bobOpen]);
          expect((await Chat.search({})).map((c) => c.id)).toEqual([d.annOpen, d.annArchived]);
          expect(await db.sudo(() => Chat.count())).toBe(3);
          expect(await Chat.count()).toBe(2);
        });
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => {
            const s = i % 2 ? d.s.ann : d.s.bob;
            return as(s, async () => {
              await new Promise((r) => setTimeout(r, (i * 7) % 5));
              return [s.userId, (await Chat.search({ fields: ["creator_id"] })).map((c) => c.creator_id)] as const;
            });
          }),
        );
        for (const [user, creators] of results) expect(creators.every((c) => c === user)).toBe(true);
      });
    },
    { access },
  );
}
