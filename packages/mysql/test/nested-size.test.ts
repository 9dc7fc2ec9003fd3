import { type Database, connect } from "@dotorm/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mysql } from "../src/index.js";
import { Chat, ChatMessage, User, models } from "./sql-nodes.js";
import { dropDatabase, freshDatabase, mysqlAvailable, urlFor } from "./targets.js";

const up = await mysqlAvailable();

describe.skipIf(!up)("nested arrays larger than MariaDB's default group_concat_max_len (1 MB)", () => {
  const name = `dotorm_mysql_nested_size_${process.pid}`;
  let db: Database;

  beforeAll(async () => {
    await freshDatabase(name);
    db = await connect(mysql({ url: urlFor(name), max: 2 }), { models: [...models] });
    await db.sync();
  });
  afterAll(async () => {
    await db?.close();
    await dropDatabase(name);
  });

  test("come back whole, in one statement", async () => {
    const user = await User.create({ name: "Big" });
    const chat = await Chat.create({ name: "big", creator_id: user });
    // 3 MB of bodies: JSON_ARRAYAGG used to stop at 1 MB, mid-string, and the JSON failed to parse.
    const bodies = Array.from({ length: 6 }, (_, i) => `${i}`.repeat(500_000));
    await ChatMessage.createMany(bodies.map((body) => ({ chat_id: chat, author_user_id: user, body })));
    let statements = 0;
    db.on("query", () => statements++);
    const read = await Chat.get(chat, { fields: ["name"], nested: { messages: { fields: ["body"], order: "id", sort: "desc" } } });
    expect(statements).toBe(1);
    expect(read.messages.map((m) => m.body)).toEqual([...bodies].reverse());
  });
});
