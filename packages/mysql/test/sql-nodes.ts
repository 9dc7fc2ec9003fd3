import type { QueryNode } from "@dotorm/core";
import { columnsOf, fieldOf, representativeNodes, sqlModels, whereOf } from "@dotorm/testkit";

export const { Chat, ChatMessage, User, models } = sqlModels;

const chat = Chat.meta;
const user = User.meta;
const message = ChatMessage.meta;

/** The shared representative statements, plus a nested read whose relations carry conditions (access rules). */
export const nodes: Record<string, QueryNode> = {
  ...representativeNodes,
  guardedNested: {
    kind: "select",
    model: chat,
    items: [
      ...columnsOf(chat, ["id"]),
      {
        kind: "nested",
        field: fieldOf(chat, "creator_id"),
        sub: {
          kind: "select",
          model: user,
          items: columnsOf(user, ["id", "name"]),
          where: whereOf(user, [["is_active", "=", true]]),
          order: [],
        },
      },
      {
        kind: "nested",
        field: fieldOf(chat, "messages"),
        sub: {
          kind: "select",
          model: message,
          items: columnsOf(message, ["id"]),
          where: whereOf(message, [["body", "=", "hi"]]),
          order: [],
        },
      },
    ],
    where: whereOf(chat, [["name", "=", "General"]]),
    order: [],
  },
};
