import { type Adapter, type Database, connect } from "@dotorm/core";
import { Chat, ChatMessage, models, seed, sinkChatId } from "./models.js";
import { bulkMessages, randomIds } from "./pg-setup.js";
import type { Side } from "./side-process.js";
import { chatWith50Messages } from "./workload-specs.js";

/** Removes the chats the transaction workload made (their messages go with them: on delete cascade). */
async function dropTxChats(db: Database): Promise<void> {
  await db.exec({ sql: `DELETE FROM chats WHERE id > ${seed.chats}`, params: [] });
}

/** Makes the rows the delete workload removes (raw SQL, as on the raw side), given the previous ones. */
export type MakeVictims = (db: Database, previous: number[]) => Promise<number[]>;

/**
 * DotORM's side of a bench, the same on every database: each workload is the public API call a
 * user would write. Only the connection and the preparation of delete victims differ.
 */
export async function ormSide(adapter: Adapter, makeVictims: MakeVictims): Promise<Side> {
  const db = await connect(adapter, { models });
  const rand = randomIds(42);
  const bulk = bulkMessages(sinkChatId);
  let doomed: number[] = [];
  return {
    workloads: {
      get: { op: () => Chat.get(rand(seed.chats), { fields: ["name", "is_archived"] }) },
      getSeq: { op: () => Chat.get(rand(seed.chats), { fields: ["name", "is_archived"] }) },
      tx: {
        prepare: () => dropTxChats(db),
        op: () =>
          db.transaction(async () => {
            const author = rand(seed.users);
            const chatId = await Chat.create({ name: "tx", creator_id: author });
            await ChatMessage.createMany(
              [1, 2, 3].map((i) => ({ chat_id: chatId, author_user_id: author, body: `m${i}` })),
            );
          }),
      },
      page20: {
        op: () =>
          Chat.search({
            filter: [
              ["is_archived", "=", false],
              ["id", ">", rand(seed.chats - 100)],
            ],
            fields: ["name", "is_archived", "creator_id"],
            order: "id",
            limit: 20,
          }),
      },
      insert: {
        op: () =>
          ChatMessage.create({ chat_id: rand(seed.chats - 1), author_user_id: rand(seed.users), body: "hello" }),
      },
      createMany: { op: () => ChatMessage.createMany(bulk) },
      update: { op: () => ChatMessage.updateMany([rand(seed.chats * seed.messagesPerChat)], { body: "edited" }) },
      delete: {
        prepare: async () => {
          doomed = await makeVictims(db, doomed);
        },
        op: () => ChatMessage.deleteMany([doomed.pop() as number]),
      },
      chat50: {
        op: () => Chat.get(rand(seed.chats - 1), chatWith50Messages),
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
