import { type AnyModel, f, model } from "@dotorm/core";

/** The bench models: the chat schema of CONTRACT.md, small enough to seed in a second. */
export const User = model("users", {
  name: f.char({ maxLength: 255, required: true }),
  login: f.char({ maxLength: 100, unique: true }),
  is_active: f.boolean({ default: true }),
});

export const Chat = model("chats", {
  name: f.char({ maxLength: 255, required: true }),
  is_archived: f.boolean({ default: false }),
  creator_id: f.many2one(() => User, { required: true }),
  messages: f.one2many((): AnyModel => ChatMessage, "chat_id"),
});

export const ChatMessage = model("chat_messages", {
  chat_id: f.many2one(() => Chat, { required: true, onDelete: "cascade" }),
  author_user_id: f.many2one(() => User),
  body: f.text(),
  created_at: f.datetime({ default: "now", readonly: true }),
});

export const models = [User, Chat, ChatMessage] as const;

/** Seed sizes: users, chats, and messages per chat (more than the 50 the nested read takes). */
export const seed = { users: 1000, chats: 2000, messagesPerChat: 60 } as const;

/** The chat createMany and the delete victims write into, so they do not grow the chats being read. */
export const sinkChatId = seed.chats;
