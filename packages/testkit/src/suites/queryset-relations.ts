import { AccessDenied, type AccessChecker, QueryError, UnsupportedError } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Session "limited" reads only users not named "Hidden…", may not read User.login, and sees messages other than "secret". */
const checker: AccessChecker<string> = {
  check: ({ session, model, operation }) => {
    if (session !== "limited" || operation !== "read") return true;
    if (model.endsWith("_users")) return [["name", "not like", "Hidden"]];
    if (model.endsWith("_chat_messages")) return [["body", "!=", "secret"]];
    return true;
  },
  deniedFields: ({ session, model }) => (session === "limited" && model.endsWith("_users") ? ["login"] : []),
};

/** values() and orderBy() across many2one relations, and per-row aggregates of relations (annotate). */
export function querysetRelations(target: ConformanceTarget) {
  return suite(
    "queryset relations",
    target,
    (ctx) => {
      async function seed(tag: string) {
        const { User, Chat, ChatMessage } = ctx();
        const ann = await User.create({ name: `Ann ${tag}`, login: `ann-${tag}` });
        const zed = await User.create({ name: `Zed ${tag}`, login: `zed-${tag}` });
        const hidden = await User.create({ name: `Hidden ${tag}`, login: `hid-${tag}` });
        const chats = (await Chat.createMany([
          { name: `${tag} a`, creator_id: zed },
          { name: `${tag} b`, creator_id: ann },
          { name: `${tag} c`, creator_id: hidden },
        ])) as [number, number, number];
        await ChatMessage.createMany([
          { chat_id: chats[0], author_user_id: ann, body: "x" },
          { chat_id: chats[0], author_user_id: zed, body: "y" },
          { chat_id: chats[0], author_user_id: zed, body: "secret" },
          { chat_id: chats[2], author_user_id: null, body: "z" },
        ]);
        return { ann, zed, hidden, chats, qs: Chat.query().filter({ name__startswith: `${tag} ` }) };
      }

      /** Where relation columns are not supported (ClickHouse), each use raises UnsupportedError before any SQL. */
      async function unsupported(qs: Awaited<ReturnType<typeof seed>>["qs"]): Promise<boolean> {
        if (ctx().db.adapter.capabilities.relationColumns !== false) return false;
        const { statements } = await ctx().record(async () => {
          await expect(qs.values("creator_id__name")).rejects.toBeInstanceOf(UnsupportedError);
          await expect(qs.orderBy("-creator_id__name").all()).rejects.toBeInstanceOf(UnsupportedError);
          await expect(qs.annotate({ n: ["messages", "count"] }).all()).rejects.toBeInstanceOf(UnsupportedError);
        });
        expect(statements).toHaveLength(0);
        return true;
      }

      test("values() and orderBy() follow many2one paths in one statement; an empty hop reads as null", async () => {
        const { ChatMessage } = ctx();
        const { qs } = await seed("vp");
        if (await unsupported(qs)) return;
        const { result, statements } = await ctx().record(() =>
          qs.orderBy("-creator_id__name").values("name", "creator_id__name", "creator_id__login"),
        );
        expect(result).toEqual([
          { name: "vp a", creator_id__name: "Zed vp", creator_id__login: "zed-vp" },
          { name: "vp c", creator_id__name: "Hidden vp", creator_id__login: "hid-vp" },
          { name: "vp b", creator_id__name: "Ann vp", creator_id__login: "ann-vp" },
        ]);
        expect(statements).toHaveLength(1);
        const messages = await ChatMessage.query()
          .filter({ chat_id__name__startswith: "vp " })
          .orderBy("author_user_id__name", "body")
          .values("body", "chat_id__creator_id__name", "author_user_id__name");
        expect(messages.map((m) => [m.body, m.chat_id__creator_id__name, m.author_user_id__name])).toEqual([
          ["x", "Zed vp", "Ann vp"],
          ["secret", "Zed vp", "Zed vp"],
          ["y", "Zed vp", "Zed vp"],
          ["z", "Hidden vp", null],
        ]);
      });

      test("a path's target rules apply: hidden rows read as null, denied fields are refused", async () => {
        const { db } = ctx();
        const { chats, qs } = await seed("vr");
        if (await unsupported(qs)) return;
        await db.withSession("limited", async () => {
          const rows = await qs.orderBy("name").values("creator_id__name");
          expect(rows.map((r) => r.creator_id__name)).toEqual(["Zed vr", "Ann vr", null]);
          expect((await qs.orderBy("creator_id__name").values("name")).map((r) => r.name)).toEqual([
            "vr b",
            "vr a",
            "vr c",
          ]);
          await expect(qs.values("creator_id__login")).rejects.toBeInstanceOf(AccessDenied);
          await expect(qs.orderBy("creator_id__login").all()).rejects.toBeInstanceOf(AccessDenied);
        });
        expect(chats).toHaveLength(3);
      });

      test("bad paths are refused with a QueryError before any SQL", async () => {
        const { qs } = await seed("vb");
        const { statements } = await ctx().record(async () => {
          await expect(qs.values("creator_id__nope" as never)).rejects.toBeInstanceOf(QueryError);
          await expect(qs.values("messages__body" as never)).rejects.toThrow(/to-many relation/);
          await expect(qs.values("name__x" as never)).rejects.toBeInstanceOf(QueryError);
          await expect(qs.orderBy("creator_id__").all()).rejects.toBeInstanceOf(QueryError);
          await expect(qs.orderBy("creator_id__name; drop table x").all()).rejects.toBeInstanceOf(QueryError);
        });
        expect(statements).toHaveLength(0);
      });

      test("annotate: per-row aggregates of a relation in one statement, usable in filter, orderBy and values", async () => {
        const { chats, qs } = await seed("an");
        if (await unsupported(qs)) return;
        const annotated = qs.annotate({
          n_messages: ["messages", "count"],
          authors: ["messages__author_user_id", "count_distinct"],
          last_id: ["messages__id", "max"],
        });
        const { result, statements } = await ctx().record(() => annotated.orderBy("-n_messages", "name").all());
        expect(result.map((c) => [c.id, c.n_messages, c.authors])).toEqual([
          [chats[0], 3, 2],
          [chats[2], 1, 0],
          [chats[1], 0, 0],
        ]);
        expect(result[1]?.last_id).toBeGreaterThan(0);
        expect(result[2]?.last_id).toBeNull();
        expect(statements).toHaveLength(1);
        expect((await annotated.filter({ n_messages__gte: 1 }).orderBy("name")).map((c) => c.id)).toEqual([
          chats[0],
          chats[2],
        ]);
        expect(await annotated.exclude({ n_messages: 0 }).count()).toBe(2);
        expect(await annotated.filter({ n_messages: 0 }).values("name", "n_messages")).toEqual([
          { name: "an b", n_messages: 0 },
        ]);
      });

      test("annotate counts only what the session may read; bad specs are refused", async () => {
        const { db, Chat } = ctx();
        const { chats, qs } = await seed("ar");
        if (await unsupported(qs)) return;
        await db.withSession("limited", async () => {
          const rows = await qs.annotate({ n: ["messages", "count"] }).orderBy("name");
          expect(rows.map((r) => r.n)).toEqual([2, 0, 1]);
        });
        const bad = [
          { n: ["name", "count"] },
          { n: ["messages", "median"] },
          { n: ["messages__nope", "count"] },
          { n: ["messages__body", "sum"] },
          { name: ["messages", "count"] },
          { "n; drop": ["messages", "count"] },
          { n: "messages" },
        ];
        for (const spec of bad)
          await expect(
            Chat.query()
              .annotate(spec as never)
              .all(),
          ).rejects.toBeInstanceOf(QueryError);
        expect(() => qs.limit(1).annotate({ n: ["messages", "count"] })).toThrow(QueryError);
        expect(chats).toHaveLength(3);
      });
    },
    { access: checker },
  );
}
