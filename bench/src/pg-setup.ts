import { connect } from "@dotorm/core";
import { postgres } from "@dotorm/postgres";
import pg from "pg";
import { models, seed } from "./models.js";

/** The PostgreSQL server benchmarked (the same default as the integration tests). */
export const pgUrl = process.env.DOTORM_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** The schema the bench owns; dropped and recreated on every run. */
export const benchSchema = "dotorm_bench";

/**
 * The URL both sides connect with: the bench schema first on the search path, and commits that do not
 * wait for the WAL flush, so single writes measure the client stacks rather than the fsync latency of
 * a disk shared with other work (see the README).
 */
export const benchUrl = benchUrlFor(benchSchema);

/** {@link benchUrl} for another schema (the REST bench owns its own). */
export function benchUrlFor(schema: string): string {
  return `${pgUrl}${pgUrl.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema} -c synchronous_commit=off`)}`;
}

/**
 * Recreates the bench schema: tables from the models (DotORM's own `sync`, so both sides read the
 * same DDL and indexes), then seed rows generated server-side so setup takes about a second.
 */
export async function setUpPostgres(schema = benchSchema): Promise<void> {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    const db = await connect(postgres({ url: benchUrlFor(schema), max: 1 }), { models });
    await db.sync();
    await db.close();
    await admin.query(`SET search_path = ${schema}`);
    await admin.query(
      `INSERT INTO users (name, login, is_active) SELECT 'user ' || i, 'login' || i, i % 10 <> 0 FROM generate_series(1, $1::int) i`,
      [seed.users],
    );
    await admin.query(
      `INSERT INTO chats (name, is_archived, creator_id) SELECT 'chat ' || i, i % 5 = 0, 1 + (i * 7) % $2::int FROM generate_series(1, $1::int) i`,
      [seed.chats, seed.users],
    );
    await admin.query(
      `INSERT INTO chat_messages (chat_id, author_user_id, body, created_at)
       SELECT c, 1 + (c * 13 + m) % $3::int, 'message ' || m || ' of chat ' || c, now() - make_interval(mins => m)
       FROM generate_series(1, $1::int) c, generate_series(1, $2::int) m`,
      [seed.chats, seed.messagesPerChat, seed.users],
    );
    await admin.query("VACUUM ANALYZE users, chats, chat_messages");
  } finally {
    await admin.end();
  }
}

/** Deterministic pseudo-random integers in [1, n] (mulberry32), so both sides ask for the same rows. */
export function randomIds(seedValue: number): (n: number) => number {
  let a = seedValue >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return 1 + (((t ^ (t >>> 14)) >>> 0) % n);
  };
}

/** Rows made (untimed) before each delete measurement; more than one window deletes, and cleared after. */
export const victims = 60_000;

/** The 10,000 records both sides insert in one createMany call. */
export function bulkMessages(chatId: number): { chat_id: number; author_user_id: number; body: string }[] {
  return Array.from({ length: 10_000 }, (_, i) => ({
    chat_id: chatId,
    author_user_id: 1 + (i % seed.users),
    body: `bulk message ${i}`,
  }));
}
