import type { AccessChecker } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/**
 * A session (the name of a user it may not see) reads only chats that are not archived, and no user
 * of that name: the rules reach the page, its total, nested many2ones and dotted paths.
 */
const checker: AccessChecker<string> = {
  check: ({ session, model, operation }) => {
    if (session === undefined || operation !== "read") return true;
    if (model.endsWith("_chats")) return [["is_archived", "=", false]];
    if (model.endsWith("_users")) return [["name", "!=", session]];
    return true;
  },
};

/** `searchAndCount`: exactly what `search` and `count` return, in one statement where the dialect allows. */
export function searchAndCount(target: ConformanceTarget) {
  return suite(
    "search and count",
    target,
    (ctx) => {
      /** Seven chats of two users, two archived, three with messages. */
      async function seed(tag: string) {
        const { User, Chat, ChatMessage } = ctx();
        const [ann, bob] = (await User.createMany([{ name: `${tag}-ann` }, { name: `${tag}-bob` }])) as [
          number,
          number,
        ];
        const rows = [
          { chat_type: "group", creator_id: bob },
          { chat_type: "direct", creator_id: ann },
          { chat_type: "group", creator_id: ann, is_archived: true },
          { chat_type: "channel", creator_id: bob },
          { chat_type: "group", creator_id: ann },
          { chat_type: "direct", creator_id: bob, is_archived: true },
          { chat_type: "group", creator_id: ann },
        ] as const;
        const ids = (await Chat.createMany(rows.map((r, i) => ({ ...r, name: `${tag} ${i}` })))) as number[];
        await ChatMessage.createMany(
          [0, 0, 1, 3, 3, 3].map((i, n) => ({ chat_id: ids[i] as number, body: `${tag} m${n}` })),
        );
        return { ann, bob, ids, mine: ["name", "=like", `${tag} %`] as const };
      }

      /** Pages of every shape: filters, order, limit/offset, nested, empty pages. */
      function requests(tag: string, mine: readonly unknown[]) {
        const f = (...more: unknown[]) => [mine, ...more];
        return [
          { filter: f(), order: "name", limit: 3 },
          { filter: f(["chat_type", "=", "group"]), order: "name desc", limit: 2, offset: 1 },
          { filter: f(["chat_type", "in", ["direct", "channel"]]), limit: 10 },
          { filter: f(), order: "name", limit: 2, offset: 4, nested: { creator_id: { fields: ["name"] } } },
          { filter: f(["creator_id.name", "=", `${tag}-ann`]), order: "name", limit: 2, fields: ["name", "chat_type"] },
          { filter: f(), order: "name", limit: 2, offset: 1, nested: { messages: { fields: ["body"] } } },
          { filter: [["chat_type", "=", "channel"], "or", ["name", "=", `${tag} 1`]], limit: 5 },
          { filter: f(), limit: 3, offset: 100 },
          { filter: f(["name", "=", "none-such"]), limit: 3 },
          { filter: f(["name", "=", "none-such"]), limit: 3, offset: 2 },
          { filter: f(), limit: 0 },
          { filter: f(), order: "name", offset: 5 },
          { filter: f(), order: "name", limit: 7 },
        ];
      }

      async function expectSame(req: Record<string, unknown>) {
        const { Chat } = ctx();
        const got = await Chat.searchAndCount(req as never);
        const data = await Chat.search(req as never);
        const total = await Chat.count({ filter: req.filter as never });
        expect({ req, ...got }).toEqual({ req, data, total });
        for (const record of got.data) expect(Object.keys(record)).not.toContain("#total");
      }

      test("returns exactly what search and then count return, for pages of every shape", async () => {
        const { Chat } = ctx();
        const { mine } = await seed("same");
        for (const req of requests("same", mine)) await expectSame(req);
        const qs = Chat.query().filter({ name__startswith: "same " }).orderBy("-name");
        expect(await qs.offset(1).limit(2).searchAndCount()).toEqual({
          data: await qs.offset(1).limit(2),
          total: await qs.count(),
        });
        expect(await qs.none().searchAndCount()).toEqual({ data: [], total: 0 });
      });

      test("under access rules the page and the total hold only the rows the session may read", async () => {
        const { db, Chat } = ctx();
        const { mine } = await seed("rule");
        const all = await Chat.count({ filter: [mine] });
        await db.withSession("rule-bob", async () => {
          for (const req of requests("rule", mine)) await expectSame(req);
          const { data, total } = await Chat.searchAndCount({ filter: [mine], order: "name", limit: 2 });
          expect(total).toBe(5); // seven chats, two archived
          expect(total).toBeLessThan(all);
          expect(data.map((c) => c.name)).toEqual(["rule 0", "rule 1"]);
          // the users rule reaches a dotted path: bob's chats are not there to count
          const bobs = await Chat.searchAndCount({ filter: [mine, ["creator_id.name", "=", "rule-bob"]], limit: 1 });
          expect(bobs).toEqual({ data: [], total: 0 });
        });
      });

      test("a full page is one statement where the dialect can carry the total (not ClickHouse); an empty page past the end counts apart", async () => {
        const { db, Chat } = ctx();
        const { mine } = await seed("one");
        const separate = db.adapter.dialect === "chdb" || db.adapter.dialect === "clickhouse";
        const full = await ctx().record(() => Chat.searchAndCount({ filter: [mine], order: "name", limit: 2 }));
        expect(full.result.total).toBe(7);
        expect(full.statements).toHaveLength(separate ? 2 : 1);
        const short = await ctx().record(() => Chat.searchAndCount({ filter: [mine], limit: 5, offset: 4 }));
        expect(short.result.total).toBe(7);
        expect(short.statements).toHaveLength(1);
        const past = await ctx().record(() => Chat.searchAndCount({ filter: [mine], limit: 5, offset: 50 }));
        expect(past.result).toEqual({ data: [], total: 7 });
        expect(past.statements).toHaveLength(2);
      });
    },
    { access: checker },
  );
}
