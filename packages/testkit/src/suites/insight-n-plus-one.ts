import { ConfigurationError, NPlusOneError, type NPlusOneReport } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** The N+1 detector: `db.scope(fn)` reports a read shape repeated with different values, with the call site and a suggestion. */
export function insightNPlusOne(target: ConformanceTarget) {
  return suite("nplusone", target, (ctx) => {
    async function seed(tag: string, n = 6) {
      const { User, Chat, ChatMessage } = ctx();
      const users = await User.createMany(
        Array.from({ length: n }, (_, i) => ({ name: `${tag} u${i}`, login: `${tag}-u${i}` })),
      );
      const chats = await Chat.createMany(users.map((u, i) => ({ name: `${tag} c${i}`, creator_id: u })));
      await ChatMessage.createMany(
        chats.map((c) => ({ chat_id: c, author_user_id: users[0] as number, body: `${tag} m` })),
      );
      return { users, chats };
    }

    /** Runs `fn` in a scope and returns what the detector reported (events and log lines). */
    async function watched(fn: () => Promise<unknown>, options: { threshold?: number } = {}) {
      const { db } = ctx();
      const reports: NPlusOneReport[] = [];
      const lines: string[] = [];
      const listener = (r: NPlusOneReport) => reports.push(r);
      db.on("nPlusOne", listener);
      try {
        await db.scope(fn, { ...options, log: (l) => lines.push(l) });
      } finally {
        db.off("nPlusOne", listener);
      }
      return { reports, lines };
    }

    test("a loop of get() is reported once, at the caller's line, with a nested / in-filter suggestion", async () => {
      const { Chat, User } = ctx();
      const { chats } = await seed("np1");
      const { reports, lines } = await watched(async () => {
        for (const chat of await Chat.search({ filter: [["name", "like", "np1 "]] }))
          await User.get(chat.creator_id as number);
      });
      expect(reports).toHaveLength(1);
      const [r] = reports;
      expect(r).toMatchObject({ model: User.meta.table, operation: "get", count: 5 });
      expect(r!.callSite).toMatch(/insight-n-plus-one\.(ts|js):\d+:\d+$/);
      expect(r!.suggestion).toContain("nested: { creator_id: [...] }");
      expect(r!.suggestion).toContain('filter: [["id", "in", ids]]');
      expect(lines).toEqual([`[dotorm] ${r!.message}`]);
      expect(r!.message).toContain(r!.callSite);
      expect(chats).toHaveLength(6);
    });

    test("lazy access to a relation in a loop (a search per parent) suggests the nested one2many", async () => {
      const { Chat, ChatMessage } = ctx();
      await seed("np2");
      const { reports } = await watched(async () => {
        const chats = await Chat.query().filter({ name__startswith: "np2 " });
        for (const chat of chats) await ChatMessage.query().filter({ chat_id: chat.id }).all();
      });
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({ model: ChatMessage.meta.table, operation: "search" });
      expect(reports[0]!.suggestion).toContain("nested: { messages: [...] }");
      expect(reports[0]!.suggestion).toContain('filter: [["chat_id", "in", ids]]');
    });

    test("throw mode rejects the read that reaches the threshold, and sends it not", async () => {
      const { db, User } = ctx();
      const { users } = await seed("np3");
      const sent: string[] = [];
      const listener = (e: { operation?: string }) => sent.push(e.operation ?? "");
      db.on("query", listener);
      try {
        const run = db.scope(
          async () => {
            for (const id of users) await User.get(id);
          },
          { mode: "throw", threshold: 3 },
        );
        const error = await run.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(NPlusOneError);
        expect((error as NPlusOneError).code).toBe("N_PLUS_ONE");
        expect((error as NPlusOneError).report.callSite).toMatch(/insight-n-plus-one/);
      } finally {
        db.off("query", listener);
      }
      expect(sent.filter((o) => o === "get")).toHaveLength(2);
    });

    test("silent for nested reads, streams, createMany, pages, repeated identical reads, off mode and outside a scope", async () => {
      const { db, Chat, ChatMessage, User } = ctx();
      const { users } = await seed("np4", 7);
      const { reports } = await watched(async () => {
        await Chat.search({ filter: [["name", "like", "np4 "]], nested: { creator_id: ["name"], messages: ["body"] } });
        let n = 0;
        for await (const _ of Chat.query().filter({ name__startswith: "np4 " }).stream({ batchSize: 1 })) n++;
        expect(n).toBe(7);
        for (let i = 0; i < 6; i++)
          await ChatMessage.createMany([{ chat_id: (await Chat.search({ limit: 1 }))[0]!.id, body: `np4 ${i}` }]);
        let page = await Chat.query().filter({ name__startswith: "np4 " }).paginate({ size: 1 });
        while (page.cursor)
          page = await Chat.query().filter({ name__startswith: "np4 " }).paginate({ size: 1, after: page.cursor });
        for (let i = 0; i < 6; i++) await User.get(users[0] as number);
      });
      expect(reports).toEqual([]);
      const off = await watched(async () => {
        await db.scope(
          async () => {
            for (const id of users) await User.get(id);
          },
          { mode: "off" },
        );
      });
      expect(off.reports).toEqual([]);
      const events: NPlusOneReport[] = [];
      const listener = (r: NPlusOneReport) => events.push(r);
      db.on("nPlusOne", listener);
      for (const id of users) await User.get(id);
      db.off("nPlusOne", listener);
      expect(events).toEqual([]);
    });

    test("each scope counts on its own; the threshold is configurable and checked", async () => {
      const { db, User } = ctx();
      const { users } = await seed("np5");
      const below = await watched(async () => {
        for (const id of users.slice(0, 4)) await User.get(id);
      });
      expect(below.reports).toEqual([]);
      const two = await watched(
        async () => {
          for (const id of users.slice(0, 2)) await User.get(id);
        },
        { threshold: 2 },
      );
      expect(two.reports).toHaveLength(1);
      // two scopes running side by side do not add up
      const side = await watched(async () => {
        await Promise.all(
          [0, 1].map((k) =>
            db.scope(async () => {
              for (const id of users.slice(k * 3, k * 3 + 3)) await User.get(id);
            }),
          ),
        );
      });
      expect(side.reports).toEqual([]);
      await expect(db.scope(async () => 1, { threshold: 1 })).rejects.toBeInstanceOf(ConfigurationError);
      await expect(db.scope(async () => 1, { mode: "loud" as never })).rejects.toBeInstanceOf(ConfigurationError);
      expect(await db.scope(async () => "value")).toBe("value");
    });
  });
}
