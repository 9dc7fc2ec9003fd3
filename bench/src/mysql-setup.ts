import { connect } from "@dotorm/core";
import { mysql } from "@dotorm/mysql";
import mysql2 from "mysql2/promise";
import { models, seed } from "./models.js";

/** The MySQL / MariaDB server benchmarked (the same default as the integration tests). */
export const mysqlUrl = process.env.DOTORM_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";

/** The database the bench owns; dropped and recreated on every run. */
export const benchDatabase = "dotorm_bench";

/** The URL both sides connect with. */
export const benchUrl = (() => {
  const url = new URL(mysqlUrl);
  url.pathname = `/${benchDatabase}`;
  return url.toString();
})();

/** Inserts `count` rows made by `row(i)` (1-based) in chunks, with mysql2's `VALUES ?` bulk form. */
async function fill(conn: mysql2.Connection, sql: string, count: number, row: (i: number) => unknown[]): Promise<void> {
  for (let start = 1; start <= count; start += 5000) {
    const rows = Array.from({ length: Math.min(5000, count - start + 1) }, (_, k) => row(start + k));
    await conn.query(sql, [rows]);
  }
}

/**
 * Recreates the bench database: tables from the models (DotORM's own `sync`, so both sides read the
 * same DDL and indexes), then the same seed as the PostgreSQL bench, generated in JS (portable to
 * MySQL 8 and MariaDB alike).
 */
export async function setUpMysql(): Promise<void> {
  const admin = await mysql2.createConnection({ uri: mysqlUrl });
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${benchDatabase}\``);
    await admin.query(`CREATE DATABASE \`${benchDatabase}\` CHARACTER SET utf8mb4`);
    const db = await connect(mysql({ url: benchUrl, max: 1 }), { models });
    await db.sync();
    await db.close();
    await admin.query(`USE \`${benchDatabase}\``);
    await fill(admin, "INSERT INTO users (name, login, is_active) VALUES ?", seed.users, (i) => [
      `user ${i}`,
      `login${i}`,
      i % 10 !== 0,
    ]);
    await fill(admin, "INSERT INTO chats (name, is_archived, creator_id) VALUES ?", seed.chats, (i) => [
      `chat ${i}`,
      i % 5 === 0,
      1 + ((i * 7) % seed.users),
    ]);
    const now = Date.now();
    await fill(
      admin,
      "INSERT INTO chat_messages (chat_id, author_user_id, body, created_at) VALUES ?",
      seed.chats * seed.messagesPerChat,
      (i) => {
        const c = 1 + Math.floor((i - 1) / seed.messagesPerChat);
        const m = 1 + ((i - 1) % seed.messagesPerChat);
        return [c, 1 + ((c * 13 + m) % seed.users), `message ${m} of chat ${c}`, new Date(now - m * 60_000)];
      },
    );
    await admin.query("ANALYZE TABLE users, chats, chat_messages");
  } finally {
    await admin.end();
  }
}

/**
 * Makes `victims` rows in the sink chat for the delete workload and returns their ids (raw SQL on
 * both sides); the rows of the same `body` left from before are removed first (`ab-builds` gives each
 * of its two sides its own, since both make theirs before either runs).
 */
export async function makeVictims(
  run: (sql: string, values: unknown[]) => Promise<unknown>,
  select: (sql: string, values: unknown[]) => Promise<{ id: number }[]>,
  sink: number,
  count: number,
  old: number[],
  body = "doomed",
): Promise<number[]> {
  // the body is written into the INSERT (one placeholder a row keeps it under MySQL's 65,535)
  if (!/^[a-z-]+$/.test(body)) throw new Error(`makeVictims: a body of lower-case letters, got ${body}`);
  if (old.length > 0) await run(`DELETE FROM chat_messages WHERE id IN (${old.map(() => "?").join(", ")})`, old);
  await run("DELETE FROM chat_messages WHERE chat_id = ? AND body = ?", [sink, body]);
  const values = Array.from({ length: count }, () => `(?, '${body}', NOW(6))`).join(", ");
  await run(
    `INSERT INTO chat_messages (chat_id, body, created_at) VALUES ${values}`,
    Array.from({ length: count }, () => sink),
  );
  return (await select("SELECT id FROM chat_messages WHERE chat_id = ? AND body = ? ORDER BY id", [sink, body])).map(
    (r) => Number(r.id),
  );
}
