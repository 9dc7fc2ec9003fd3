import type { QueryNode } from "@dotorm/core";
import { fieldOf, representativeNodes, sqlModels } from "@dotorm/testkit";

export const { Chat, ChatMessage, User, Role, models } = sqlModels;

const chat = Chat.meta;

/** The shared representative statements; ClickHouse inserts carry the ids the adapter generated. */
export const nodes: Record<string, QueryNode> = {
  ...representativeNodes,
  insert: {
    kind: "insert",
    table: chat.table,
    columns: [
      { name: "id", field: chat.id },
      { name: "name", field: fieldOf(chat, "name") },
      { name: "creator_id", field: fieldOf(chat, "creator_id") },
    ],
    rows: [
      [101, "General", 1],
      [102, "Random", 2],
    ],
    returningId: false,
  },
};
