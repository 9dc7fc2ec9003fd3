import { connect } from "@dotorm/core";
import { describe, expect, test } from "vitest";
import { mysql } from "../src/index.js";
import { Chat, ChatMessage, User, models } from "./sql-nodes.js";
import { requireMysql, urlFor, useFreshDatabase } from "./targets.js";

const up = await requireMysql("the nested-size test");

describe.skipIf(!up)("nested arrays larger than MariaDB's default group_concat_max_len (1 MB)", () => {
  const name = `dotorm_mysql_nested_size_${process.pid}`;
  const database = useFreshDatabase(name, models);

  test("come back whole, in one statement, as union rows and as JSON", async () => {
    const user = await User.create({ name: "Big" });
    const chat = await Chat.create({ name: "big", creator_id: user });
    // 3 MB of bodies: JSON_ARRAYAGG used to stop at 1 MB, mid-string, and the JSON failed to parse.
    const bodies = Array.from({ length: 6 }, (_, i) => `${i}`.repeat(500_000));
    await ChatMessage.createMany(bodies.map((body) => ({ chat_id: chat, author_user_id: user, body })));
    let statements = 0;
    database().on("query", () => statements++);
    const read = await Chat.get(chat, {
      fields: ["name"],
      nested: { messages: { fields: ["body"], order: "id", sort: "desc" } },
    });
    expect(statements).toBe(1);
    expect(read.messages.map((m) => m.body)).toEqual([...bodies].reverse());
    // JSON_ARRAYAGG is a GROUP_CONCAT: at the default limit it stopped at 1 MB, mid-string
    // a second database for the same models: bound through db.model, the first keeps the statics
    const json = await connect(mysql({ url: urlFor(name), max: 1, nesting: "json" }), { models, bind: false });
    try {
      let sql = "";
      json.on("query", (e) => {
        sql = e.sql;
      });
      const viaJson = await json
        .model(Chat)
        .get(chat, { fields: ["name"], nested: { messages: { fields: ["body"], order: "id", sort: "desc" } } });
      expect(sql).toContain("JSON_ARRAYAGG");
      expect(viaJson.messages.map((m) => m.body)).toEqual([...bodies].reverse());
    } finally {
      await json.close();
    }
  });
});
