import mysql2 from "mysql2/promise";
import { describe, expect, test } from "vitest";
import { Chat, ChatMessage, User, models } from "./sql-nodes.js";
import { mysqlUrl, requireMysql, useFreshDatabase } from "./targets.js";

const up = await requireMysql("the insert-id tests");

/** The server's own numbering rules, asked directly. */
async function serverAutoIncrement(): Promise<{ step: number; mode: number }> {
  const conn = await mysql2.createConnection({ uri: mysqlUrl });
  try {
    const [rows] = await conn.query("SELECT @@auto_increment_increment AS step, @@innodb_autoinc_lock_mode AS mode");
    const row = (rows as { step: number; mode: number }[])[0] as { step: number; mode: number };
    return { step: Number(row.step), mode: Number(row.mode) };
  } finally {
    await conn.end();
  }
}

describe.skipIf(!up)("ids of a createMany on MariaDB: RETURNING, or the insert id where it is exact", () => {
  const database = useFreshDatabase(`dotorm_mysql_insert_ids_${process.pid}`, models);

  test("once the server is known to number each INSERT's rows consecutively, RETURNING is left out and the ids are still each record's", async () => {
    const { step, mode } = await serverAutoIncrement();
    const user = await User.create({ name: "ids" });
    const chat = await Chat.create({ name: "ids", creator_id: user });
    const sql: string[] = [];
    database().on("query", (e) => sql.push(e.sql));
    // four calls at once, on four connections: their rows interleave in time, not in ids
    const batches = await Promise.all(
      [0, 1, 2, 3].map((b) =>
        ChatMessage.createMany(Array.from({ length: 250 }, (_, i) => ({ chat_id: chat, body: `b${b}-${i}` }))),
      ),
    );
    const inserts = sql.filter((s) => s.startsWith("INSERT INTO `app_chat_messages`"));
    expect(inserts).toHaveLength(4);
    for (const s of inserts) expect(s.includes("RETURNING")).toBe(mode > 1);
    const all = batches.flat();
    expect(new Set(all).size).toBe(1000);
    const rows = await ChatMessage.search({ filter: [["id", "in", all]], fields: ["body"] });
    const bodyOf = new Map(rows.map((r) => [r.id, r.body]));
    for (const [b, ids] of batches.entries())
      expect(ids.map((id) => bodyOf.get(id))).toEqual(ids.map((_, i) => `b${b}-${i}`));
    if (mode <= 1)
      for (const ids of batches)
        for (let i = 1; i < ids.length; i++) expect((ids[i] as number) - (ids[i - 1] as number)).toBe(step);
  });

  test("an upsert keeps RETURNING: updated rows take no new id", async () => {
    const sql: string[] = [];
    database().on("query", (e) => sql.push(e.sql));
    const first = await User.createMany([
      { name: "Ann", login: "ids-ann" },
      { name: "Bob", login: "ids-bob" },
    ]);
    const again = await User.createMany(
      [
        { name: "Cy", login: "ids-cy" },
        { name: "Ann 2", login: "ids-ann" },
      ],
      { onConflict: ["login"], update: ["name"] },
    );
    expect(again[1]).toBe(first[0]);
    expect(sql.find((s) => s.includes("ON DUPLICATE KEY UPDATE"))).toContain("RETURNING");
    expect((await User.get(first[0] as number)).name).toBe("Ann 2");
  });
});
