import { type AnyModel, f, model } from "@dotorm/core";
import { User } from "./users.js";

/** A conversation: direct (two people) or a group. */
export const Chat = model("chats", {
  name: f.char({ maxLength: 255, required: true }),
  chat_type: f.selection({
    options: [
      ["direct", "Direct"],
      ["group", "Group"],
    ],
    default: "group",
    required: true,
  }),
  creator_id: f.many2one(() => User, { required: true }),
  member_ids: f.one2many((): AnyModel => ChatMember, "chat_id"),
  // read-only here: messages are posted through /auto/chat_messages, which delivers them live
  message_ids: f.one2many((): AnyModel => ChatMessage, "chat_id", { readonly: true }),
  created_at: f.datetime({ default: "now", readonly: true }),
});

/** Who is in a chat. */
export const ChatMember = model(
  "chat_members",
  {
    chat_id: f.many2one(() => Chat, { required: true, onDelete: "cascade" }),
    user_id: f.many2one(() => User, { required: true, onDelete: "cascade" }),
    joined_at: f.datetime({ default: "now", readonly: true }),
  },
  { indexes: [["chat_id", "user_id"]] },
);

/** A message of a chat. */
export const ChatMessage = model(
  "chat_messages",
  {
    chat_id: f.many2one(() => Chat, { required: true, onDelete: "cascade" }),
    author_id: f.many2one(() => User, { required: true }),
    body: f.text({ required: true }),
    starred: f.boolean({ default: false }),
    pinned: f.boolean({ default: false }),
    created_at: f.datetime({ default: "now", readonly: true }),
  },
  { indexes: [["chat_id", "created_at"]] },
);
