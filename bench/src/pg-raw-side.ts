import pg from "pg";
import { seed, sinkChatId } from "./models.js";
import { benchUrl, bulkMessages, randomIds, victims } from "./pg-setup.js";
import type { Side } from "./side-process.js";

/**
 * Raw `pg`'s side: the SQL a developer would write by hand with `pool.query(text, values)`, default
 * type parsers. The nested chat takes two queries (a chat and its messages), the page of 100 with
 * creators one JOIN. Every statement is named (`{ name, text, values }`: parsed and planned once per
 * connection, as DotORM's are), the strongest hand-written form; `BENCH_PG_NAMED=0` sends them unnamed
 * (parsed every time), as most hand-written `pg` code does.
 */
export async function rawSide(poolSize: number): Promise<Side> {
  const pool = new pg.Pool({ connectionString: benchUrl, max: poolSize });
  const names = new Map<string, string>();
  const named = process.env.BENCH_PG_NAMED !== "0";
  /** The query config of `text`: named (one name per text) unless BENCH_PG_NAMED=0. */
  const sql = (text: string, values: unknown[]): pg.QueryConfig => {
    if (!named) return { text, values };
    let name = names.get(text);
    if (name === undefined) names.set(text, (name = `raw_${names.size}`));
    return { name, text, values };
  };
  const q = async (text: string, values: unknown[]) => (await pool.query(sql(text, values))).rows;
  const rand = randomIds(42);
  const bulk = bulkMessages(sinkChatId);
  let doomed: number[] = [];

  return {
    workloads: {
      get: { op: () => q("SELECT id, name, is_archived FROM chats WHERE id = $1", [rand(seed.chats)]) },
      getSeq: { op: () => q("SELECT id, name, is_archived FROM chats WHERE id = $1", [rand(seed.chats)]) },
      tx: {
        prepare: async () => {
          await pool.query(`DELETE FROM chats WHERE id > ${seed.chats}`);
        },
        op: async () => {
          const client = await pool.connect();
          try {
            await client.query("BEGIN");
            const author = rand(seed.users);
            const [chat] = (
              await client.query(
                sql("INSERT INTO chats (name, is_archived, creator_id) VALUES ($1, $2, $3) RETURNING id", [
                  "tx",
                  false,
                  author,
                ]),
              )
            ).rows;
            const now = new Date();
            await client.query(
              sql(
                "INSERT INTO chat_messages (chat_id, author_user_id, body, created_at) VALUES ($1, $2, $3, $4), ($5, $6, $7, $8), ($9, $10, $11, $12) RETURNING id",
                [1, 2, 3].flatMap((i) => [chat.id, author, `m${i}`, now]),
              ),
            );
            await client.query("COMMIT");
          } catch (e) {
            await client.query("ROLLBACK");
            throw e;
          } finally {
            client.release();
          }
        },
      },
      page20: {
        op: () =>
          q(
            "SELECT id, name, is_archived, creator_id FROM chats WHERE is_archived = $1 AND id > $2 ORDER BY id LIMIT 20",
            [false, rand(seed.chats - 100)],
          ),
      },
      insert: {
        op: () =>
          q(
            "INSERT INTO chat_messages (chat_id, author_user_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            [rand(seed.chats - 1), rand(seed.users), "hello", new Date()],
          ),
      },
      createMany: {
        op: () => {
          const values: unknown[] = [];
          const tuples: string[] = [];
          const now = new Date();
          for (const m of bulk) {
            const n = values.push(m.chat_id, m.author_user_id, m.body, now);
            tuples.push(`($${n - 3}, $${n - 2}, $${n - 1}, $${n})`);
          }
          return q(
            `INSERT INTO chat_messages (chat_id, author_user_id, body, created_at) VALUES ${tuples.join(", ")} RETURNING id`,
            values,
          );
        },
      },
      update: {
        op: () =>
          pool.query(
            sql("UPDATE chat_messages SET body = $1 WHERE id = $2", [
              "edited",
              rand(seed.chats * seed.messagesPerChat),
            ]),
          ),
      },
      delete: {
        prepare: async () => {
          await pool.query("DELETE FROM chat_messages WHERE id = ANY($1)", [doomed]);
          const rows = await q(
            "INSERT INTO chat_messages (chat_id, body, created_at) SELECT $1::int, 'doomed', now() FROM generate_series(1, $2::int) RETURNING id",
            [sinkChatId, victims],
          );
          doomed = rows.map((r) => r.id as number);
        },
        op: () => pool.query(sql("DELETE FROM chat_messages WHERE id = $1", [doomed.pop()])),
      },
      chat50: {
        op: async () => {
          const id = rand(seed.chats - 1);
          const [chat] = await q(
            "SELECT c.id, c.name, u.id AS creator_id, u.name AS creator_name FROM chats c JOIN users u ON u.id = c.creator_id WHERE c.id = $1",
            [id],
          );
          const messages = await q(
            `SELECT m.id, m.body, m.created_at, a.id AS author_id, a.name AS author_name
             FROM chat_messages m LEFT JOIN users a ON a.id = m.author_user_id
             WHERE m.chat_id = $1 ORDER BY m.id DESC LIMIT 50`,
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
        // the strongest hand-written form: one JOIN, not the chats then their creators
        op: async () => {
          const rows = await q(
            "SELECT c.id, c.name, c.is_archived, u.id AS creator_id, u.name AS creator_name FROM chats c JOIN users u ON u.id = c.creator_id WHERE c.id > $1 ORDER BY c.id LIMIT 100",
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
