import mysql2 from "mysql2/promise";
import { seed, sinkChatId } from "./models.js";
import { benchUrl, makeVictims } from "./mysql-setup.js";
import { bulkMessages, randomIds, victims } from "./pg-setup.js";
import type { Side } from "./side-process.js";

type Row = Record<string, unknown>;

/**
 * Raw `mysql2`'s side: the SQL a developer would write by hand with `pool.execute(sql, values)`
 * (prepared once per shape and connection), default type casting, mysql2's `VALUES ?` bulk form
 * for the 10,000-row insert. The nested chat takes two queries, the page of 100 with creators one JOIN.
 */
export async function rawSide(poolSize: number): Promise<Side> {
  const pool = mysql2.createPool({ uri: benchUrl, connectionLimit: poolSize });
  const q = async (sql: string, values: unknown[]) => (await pool.execute(sql, values as never))[0] as Row[];
  const rand = randomIds(42);
  const bulk = bulkMessages(sinkChatId);
  let doomed: number[] = [];

  return {
    workloads: {
      get: { op: () => q("SELECT id, name, is_archived FROM chats WHERE id = ?", [rand(seed.chats)]) },
      getSeq: { op: () => q("SELECT id, name, is_archived FROM chats WHERE id = ?", [rand(seed.chats)]) },
      tx: {
        prepare: async () => {
          await pool.query(`DELETE FROM chats WHERE id > ${seed.chats}`);
        },
        op: async () => {
          const conn = await pool.getConnection();
          try {
            await conn.beginTransaction();
            const author = rand(seed.users);
            const [chat] = await conn.execute("INSERT INTO chats (name, is_archived, creator_id) VALUES (?, ?, ?)", [
              "tx",
              false,
              author,
            ]);
            const chatId = (chat as mysql2.ResultSetHeader).insertId;
            const now = new Date();
            await conn.execute(
              "INSERT INTO chat_messages (chat_id, author_user_id, body, created_at) VALUES (?, ?, ?, ?), (?, ?, ?, ?), (?, ?, ?, ?)",
              [1, 2, 3].flatMap((i) => [chatId, author, `m${i}`, now]),
            );
            await conn.commit();
          } catch (e) {
            await conn.rollback();
            throw e;
          } finally {
            conn.release();
          }
        },
      },
      page20: {
        op: () =>
          q(
            "SELECT id, name, is_archived, creator_id FROM chats WHERE is_archived = ? AND id > ? ORDER BY id LIMIT 20",
            [false, rand(seed.chats - 100)],
          ),
      },
      insert: {
        op: () =>
          q("INSERT INTO chat_messages (chat_id, author_user_id, body, created_at) VALUES (?, ?, ?, ?)", [
            rand(seed.chats - 1),
            rand(seed.users),
            "hello",
            new Date(),
          ]),
      },
      createMany: {
        op: async () => {
          const now = new Date();
          const [r] = await pool.query(
            "INSERT INTO chat_messages (chat_id, author_user_id, body, created_at) VALUES ?",
            [bulk.map((m) => [m.chat_id, m.author_user_id, m.body, now])],
          );
          const first = (r as mysql2.ResultSetHeader).insertId;
          return bulk.map((_, i) => first + i);
        },
      },
      update: {
        op: () =>
          q("UPDATE chat_messages SET body = ? WHERE id = ?", ["edited", rand(seed.chats * seed.messagesPerChat)]),
      },
      delete: {
        prepare: async () => {
          const run = (sql: string, values: unknown[]) => pool.query(sql, values);
          const select = async (sql: string, values: unknown[]) =>
            (await pool.query(sql, values))[0] as { id: number }[];
          doomed = await makeVictims(run, select, sinkChatId, victims, doomed);
        },
        op: () => q("DELETE FROM chat_messages WHERE id = ?", [doomed.pop()]),
      },
      chat50: {
        op: async () => {
          const id = rand(seed.chats - 1);
          const [chat] = await q(
            "SELECT c.id, c.name, u.id AS creator_id, u.name AS creator_name FROM chats c JOIN users u ON u.id = c.creator_id WHERE c.id = ?",
            [id],
          );
          const messages = await q(
            `SELECT m.id, m.body, m.created_at, a.id AS author_id, a.name AS author_name
             FROM chat_messages m LEFT JOIN users a ON a.id = m.author_user_id
             WHERE m.chat_id = ? ORDER BY m.id DESC LIMIT 50`,
            [id],
          );
          return {
            id: chat!.id,
            name: chat!.name,
            creator_id: { id: chat!.creator_id, name: chat!.creator_name },
            messages: messages.map((m) => ({
              id: m.id,
              body: m.body,
              created_at: m.created_at,
              author_user_id: m.author_id === null ? null : { id: m.author_id, name: m.author_name },
            })),
          };
        },
      },
      page100: {
        // the strongest hand-written form: one JOIN, not the chats then their creators. A LEFT JOIN
        // (creator_id is required, so the rows are the same): with an inner JOIN MariaDB reads the
        // users first and sorts the whole join in a temporary table (EXPLAIN: "Using temporary;
        // Using filesort"), about 20 times slower, which no one would ship
        op: async () => {
          const rows = await q(
            "SELECT c.id, c.name, c.is_archived, u.id AS creator_id, u.name AS creator_name FROM chats c LEFT JOIN users u ON u.id = c.creator_id WHERE c.id > ? ORDER BY c.id LIMIT 100",
            [rand(seed.chats - 100)],
          );
          return rows.map((r) => ({
            id: r.id,
            name: r.name,
            is_archived: r.is_archived,
            creator_id: { id: r.creator_id, name: r.creator_name },
          }));
        },
      },
    },
    close: () => pool.end(),
  };
}
