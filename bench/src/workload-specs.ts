/**
 * Read options shared by the benches' DotORM sides (plain data, no import: `ab-builds` loads each
 * build's own core). The nested chat: a chat with its creator's name and its last 50 messages with
 * their authors' names, one statement on every engine.
 */
export const chatWith50Messages = {
  fields: ["name"],
  nested: {
    creator_id: ["name"],
    messages: {
      fields: ["body", "created_at"],
      nested: { author_user_id: ["name"] },
      order: "id",
      sort: "desc",
      limit: 50,
    },
  },
} as const;
