import { connect } from "@dotorm/core";
import { mysql } from "@dotorm/mysql";
import { Chat, ChatMessage, models, seed, sinkChatId } from "./models.js";
import { benchUrl, makeVictims } from "./mysql-setup.js";
import { bulkMessages, randomIds, victims } from "./pg-setup.js";
import type { Side } from "./side-process.js";

/** DotORM's side of the MySQL bench: each workload is the public API call a user would write. */
export async function ormSide(poolSize: number): Promise<Side> {
  const db = await connect(mysql({ url: benchUrl, max: poolSize }), { models });
  const rand = randomIds(42);
  const bulk = bulkMessages(sinkChatId);
  let doomed: number[] = [];
  const run = (sql: string, values: unknown[]) => db.exec({ sql, params: values });
  const select = async (sql: string, values: unknown[]) => (await run(sql, values)).rows as { id: number }[];
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
          doomed = await makeVictims(run, select, sinkChatId, victims, doomed);
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
