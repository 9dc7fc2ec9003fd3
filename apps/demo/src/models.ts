import { type AnyModel, f, model } from "@dotorm/core";

export const User = model("users", {
  name: f.char({ maxLength: 255, required: true }),
  login: f.char({ maxLength: 100, unique: true }),
  is_active: f.boolean({ default: true }),
});

export const Chat = model("chats", {
  name: f.char({ maxLength: 255, required: true }),
  description: f.text(),
  is_archived: f.boolean({ default: false }),
  creator_id: f.many2one(() => User, { required: true }),
  // Chat and ChatMessage reference each other: one annotated thunk breaks the type-level cycle.
  messages: f.one2many((): AnyModel => ChatMessage, "chat_id"),
});

export class ChatMessage extends model("chat_messages", {
  chat_id: f.many2one(() => Chat, { required: true, onDelete: "cascade" }),
  author_user_id: f.many2one(() => User),
  body: f.text(),
  created_at: f.datetime({ default: "now", readonly: true }),
}) {
  preview() {
    return (this.body ?? "").slice(0, 80);
  }
}
