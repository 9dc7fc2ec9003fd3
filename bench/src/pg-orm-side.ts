import { postgres } from "@dotorm/postgres";
import { sinkChatId } from "./models.js";
import { type MakeVictims, ormSide as side } from "./orm-side.js";
import { benchUrl, victims } from "./pg-setup.js";
import type { Side } from "./side-process.js";

/** The delete workload's rows on PostgreSQL (raw SQL, as on the raw side), the previous ones removed. */
export const pgVictims: MakeVictims = async (db, previous) => {
  await db.sql`DELETE FROM chat_messages WHERE id = ANY(${previous})`;
  const rows = await db.sql<{ id: number }>`INSERT INTO chat_messages (chat_id, body, created_at)
    SELECT ${sinkChatId}::int, 'doomed', now() FROM generate_series(1, ${victims}::int) RETURNING id`;
  return rows.map((r) => r.id);
};

/** DotORM's side of the PostgreSQL bench. */
export function ormSide(poolSize: number): Promise<Side> {
  return side(postgres({ url: benchUrl, max: poolSize }), pgVictims);
}
