import { connect } from "@dotorm/core";
import { postgres } from "@dotorm/postgres";
import { Chat, ChatMessage, models, seed, sinkChatId } from "./models.js";
import { benchUrl, bulkMessages, randomIds, victims } from "./pg-setup.js";
import type { Side } from "./side-process.js";

/** DotORM's side of the PostgreSQL bench: each workload is the public API call a user would write. */
export async function ormSide(poolSize: number): Promise<Side> {
  const db = await connect(postgres({ url: benchUrl, max: poolSize }), { models });
  const rand = randomIds(42);
  const bulk = bulkMessages(sinkChatId);
  let doomed: number[] = [];
  return {
    workloads: {
      get: { op: () => Chat.get(rand(seed.chats), { fields: ["name", "is_archived"] }) },
      page20: {
        op: () =>
          Chat.search({
            filter: [["is_archived", "=", false], ["id", ">", rand(seed.chats - 100)]],
            fields: ["name", "is_archived", "creator_id"],
            order: "id",
            limit: 20,
          }),
      },
      insert: { op: () => ChatMessage.create({ chat_id: rand(seed.chats - 1), author_user_id: rand(seed.users), body: "hello" }) },
      createMany: { op: () => ChatMessage.createMany(bulk) },
      update: { op: () => ChatMessage.updateMany([rand(seed.chats * seed.messagesPerChat)], { body: "edited" }) },
      delete: {
        prepare: async () => {
          // Made and cleared with raw SQL, as on the raw side, so the preparation weighs the same on both.
          await db.sql`DELETE FROM chat_messages WHERE id = ANY(${doomed})`;
          const rows = await db.sql<{ id: number }>`INSERT INTO chat_messages (chat_id, body, created_at)
            SELECT ${sinkChatId}::int, 'doomed', now() FROM generate_series(1, ${victims}::int) RETURNING id`;
          doomed = rows.map((r) => r.id);
        },
        op: () => ChatMessage.deleteMany([doomed.pop() as number]),
      },
      chat50: {
        op: () =>
          Chat.get(rand(seed.chats - 1), {
            fields: ["name"],
            nested: {
              creator_id: ["name"],
              messages: { fields: ["body", "created_at"], nested: { author_user_id: ["name"] }, order: "id", sort: "desc", limit: 50 },
            },
          }),
      },
      page100: {
        op: () =>
          Chat.search({
            filter: [["id", ">", rand(seed.chats - 100)]],
            fields: ["name", "is_archived"],
            nested: { creator_id: ["name"] },
            order: "id",
            limit: 100,
          }),
      },
    },
    close: () => db.close(),
  };
}
