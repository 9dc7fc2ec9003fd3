import { type AccessChecker, type AnyModel, type Database, type QueryEvent, connect, f, model } from "@dotorm/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mysql } from "../src/index.js";
import { dropDatabase, freshDatabase, requireMysql, urlFor } from "./targets.js";

/**
 * A nested read repeated with one shape on MariaDB's UNION ALL (its branches and statement text are
 * kept with the shape, its values bound per call): each call reads its own records, whatever the
 * shape's previous calls read, and a session's access rules apply to its own calls only.
 */

function makeModels() {
  const User = model("us_users", { name: f.char({ maxLength: 30, required: true }) });
  const Chat = model("us_chats", {
    name: f.char({ maxLength: 30, required: true }),
    creator_id: f.many2one(() => User),
    messages: f.one2many((): AnyModel => Message, "chat_id"),
  });
  const Message = model("us_messages", {
    chat_id: f.many2one(() => Chat, { required: true, onDelete: "cascade" }),
    author_user_id: f.many2one(() => User),
    body: f.char({ maxLength: 30, required: true }),
  });
  return { User, Chat, Message, models: [User, Chat, Message] as const };
}

/** The nested chat of the bench, with a smaller per-chat limit. */
const withMessages = (limit: number) => ({
  fields: ["name"],
  nested: {
    creator_id: ["name"],
    messages: { fields: ["body"], nested: { author_user_id: ["name"] }, order: "id", sort: "desc", limit },
  },
});

/** Another nested shape over the same relation: bodies only, oldest first, no limit. */
const bodiesOnly = { fields: ["name"], nested: { messages: { fields: ["body"], order: "id" } } };

type ChatRead = {
  id: number;
  name: string;
  creator_id: { name: string } | null;
  messages: { body: string; author_user_id?: { name: string } | null }[];
};

const up = await requireMysql("kept union shapes");

describe.runIf(up)("MariaDB: a repeated nested shape read through UNION ALL", () => {
  const name = `dotorm_union_shape_${process.pid}_${Date.now().toString(36)}`;
  const plain = makeModels();
  const ruled = makeModels();
  const ids = { ann: 0, bob: 0, busy: 0, quiet: 0, other: 0 };
  let dbs: Database[] = [];

  beforeAll(async () => {
    await freshDatabase(name);
    const db = await connect(mysql({ url: urlFor(name), max: 2 }), { models: plain.models });
    await db.sync();
    // the session's user sees only the messages they wrote
    const access: AccessChecker<{ userId: number }> = {
      check: ({ session, model: table }) =>
        table === "us_messages" ? [["author_user_id", "=", session?.userId ?? 0]] : true,
    };
    const secured = await connect(mysql({ url: urlFor(name), max: 2 }), { models: ruled.models, access });
    dbs = [db, secured];
    const { User, Chat, Message } = plain;
    const users = (await User.createMany([{ name: "ann" }, { name: "bob" }])) as number[];
    ids.ann = users[0] as number;
    ids.bob = users[1] as number;
    const chats = (await Chat.createMany([
      { name: "busy", creator_id: ids.ann },
      { name: "quiet", creator_id: null },
      { name: "other", creator_id: ids.bob },
    ])) as number[];
    [ids.busy, ids.quiet, ids.other] = chats as [number, number, number];
    await Message.createMany([
      { chat_id: ids.busy, author_user_id: ids.ann, body: "b1" },
      { chat_id: ids.busy, author_user_id: null, body: "b2" },
      { chat_id: ids.other, author_user_id: ids.bob, body: "o1" },
      { chat_id: ids.busy, author_user_id: ids.bob, body: "b3" },
      { chat_id: ids.other, author_user_id: ids.ann, body: "o2" },
      { chat_id: ids.busy, author_user_id: ids.ann, body: "b4" },
    ]);
  });

  afterAll(async () => {
    for (const db of dbs) await db.close();
    await dropDatabase(name);
  });

  const get = async (id: number, spec: object = withMessages(3)) =>
    (await plain.Chat.get(id, spec as Parameters<typeof plain.Chat.get>[1])) as unknown as ChatRead;
  const summary = (c: ChatRead) => ({
    name: c.name,
    creator: c.creator_id?.name ?? null,
    messages: c.messages.map((m) =>
      m.author_user_id === undefined ? m.body : `${m.body}:${m.author_user_id?.name ?? "-"}`,
    ),
  });

  test("two different ids in a row read their own chat, creator and latest messages (a null author as null)", async () => {
    const sent: { sql: string; params: readonly unknown[] }[] = [];
    const listen = (e: QueryEvent) => {
      sent.push({ sql: e.sql, params: e.params as readonly unknown[] });
    };
    (dbs[0] as Database).on("query", listen);
    for (let round = 0; round < 3; round++) {
      expect(summary(await get(ids.busy))).toEqual({
        name: "busy",
        creator: "ann",
        messages: ["b4:ann", "b3:bob", "b2:-"],
      });
      expect(summary(await get(ids.other))).toEqual({ name: "other", creator: "bob", messages: ["o2:ann", "o1:bob"] });
    }
    (dbs[0] as Database).off("query", listen);
    // one UNION ALL statement per call, the same text each time, each call's own id bound
    expect(sent.length).toBe(6);
    expect(sent[0]?.sql).toContain("UNION ALL");
    expect(new Set(sent.map((s) => s.sql)).size).toBe(1);
    expect(sent.map((s) => s.params[0])).toEqual([ids.busy, ids.other, ids.busy, ids.other, ids.busy, ids.other]);
  });

  test("a chat with no messages and no creator reads an empty list and null, between two that have some", async () => {
    expect(summary(await get(ids.busy))).toEqual({
      name: "busy",
      creator: "ann",
      messages: ["b4:ann", "b3:bob", "b2:-"],
    });
    expect(summary(await get(ids.quiet))).toEqual({ name: "quiet", creator: null, messages: [] });
    expect(summary(await get(ids.other))).toEqual({ name: "other", creator: "bob", messages: ["o2:ann", "o1:bob"] });
  });

  test("the nested limit of each shape holds, two shapes alternating and a get between searches of the same shape", async () => {
    for (let round = 0; round < 2; round++) {
      expect(summary(await get(ids.busy, withMessages(1))).messages).toEqual(["b4:ann"]);
      expect(summary(await get(ids.busy, bodiesOnly)).messages).toEqual(["b1", "b2", "b3", "b4"]);
      expect(summary(await get(ids.busy, withMessages(2))).messages).toEqual(["b4:ann", "b3:bob"]);
      expect(summary(await get(ids.other, bodiesOnly)).messages).toEqual(["o1", "o2"]);
      // the same shape over several chats ranks messages per chat; then by one id again
      const many = (await plain.Chat.search({
        ...withMessages(2),
        filter: [["id", "in", [ids.busy, ids.other]]],
        order: "id",
      } as Parameters<typeof plain.Chat.search>[0])) as unknown as ChatRead[];
      expect(many.map(summary)).toEqual([
        { name: "busy", creator: "ann", messages: ["b4:ann", "b3:bob"] },
        { name: "other", creator: "bob", messages: ["o2:ann", "o1:bob"] },
      ]);
      const paged = (await plain.Chat.search({
        ...withMessages(2),
        order: "id",
        limit: 1,
        offset: 2,
      } as Parameters<typeof plain.Chat.search>[0])) as unknown as ChatRead[];
      expect(paged.map(summary)).toEqual([{ name: "other", creator: "bob", messages: ["o2:ann", "o1:bob"] }]);
      expect(summary(await get(ids.busy, withMessages(2))).messages).toEqual(["b4:ann", "b3:bob"]);
    }
  });

  test("two sessions with different access rules each read only their own messages, alternating", async () => {
    const db = dbs[1] as Database;
    const read = (userId: number, id: number) =>
      db.withSession({ userId }, async () =>
        summary(
          (await ruled.Chat.get(id, withMessages(3) as Parameters<typeof ruled.Chat.get>[1])) as unknown as ChatRead,
        ),
      );
    for (let round = 0; round < 2; round++) {
      expect((await read(ids.ann, ids.busy)).messages).toEqual(["b4:ann", "b1:ann"]);
      expect((await read(ids.bob, ids.busy)).messages).toEqual(["b3:bob"]);
      expect((await read(ids.ann, ids.other)).messages).toEqual(["o2:ann"]);
      expect((await read(ids.bob, ids.quiet)).messages).toEqual([]);
    }
  });
});
