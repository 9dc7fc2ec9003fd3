// The models the type tests share (the contract's own, plus every scalar kind).
import { f } from "../../src/model/f.js";
import { model } from "../../src/define/model.js";
import type { AnyModel } from "../../src/model/model-meta.js";

// The contract's models. Chat -> ChatMessage -> Chat is a cycle TypeScript cannot infer, so one
// thunk is annotated (README, "Models that reference each other"); everything else is fully typed.
export const Role = model("roles", {
  code: f.char({ maxLength: 50, required: true, unique: true }),
  name: f.char(),
});

export const User = model("users", {
  name: f.char({ maxLength: 255, required: true }),
  login: f.char({ maxLength: 100, unique: true }),
  bio: f.text(),
  is_active: f.boolean({ default: true }),
  role_ids: f.many2many(() => Role, { table: "user_roles", column1: "user_id", column2: "role_id" }),
});

export const Chat = model("chats", {
  name: f.char({ maxLength: 255, required: true }),
  description: f.text(),
  is_archived: f.boolean({ default: false }),
  chat_type: f.selection({
    options: [
      ["direct", "Direct"],
      ["group", "Group"],
      ["channel", "Channel"],
    ],
    default: "group",
    required: true,
  }),
  creator_id: f.many2one(() => User, { required: true }),
  messages: f.one2many((): AnyModel => ChatMessage, "chat_id"),
});

export class ChatMessage extends model("chat_messages", {
  chat_id: f.many2one(() => Chat, { required: true, onDelete: "cascade" }),
  author_user_id: f.many2one(() => User),
  body: f.text(),
  created_at: f.datetime({ default: "now", readonly: true }),
}) {
  preview(): string {
    return (this.body ?? "").slice(0, 80);
  }
}

// A one2many whose target is fully typed: the annotated thunk sits on the many2one side instead.
export const Post = model("posts", {
  title: f.char({ required: true }),
  comments: f.one2many(() => Comment, "post_id"),
});
export const Comment = model("comments", {
  post_id: f.many2one((): AnyModel => Post, { required: true }),
  author_id: f.many2one(() => User),
  text: f.text({ required: true }),
});

// Every scalar kind, plus a computed field and a readonly one.
export const Thing = model("things", {
  small: f.smallInteger(),
  count: f.integer({ default: 0 }),
  big: f.bigInteger({ required: true }),
  ratio: f.float(),
  price: f.decimal({ precision: 10, scale: 2 }),
  flag: f.boolean(),
  at: f.datetime(),
  day: f.date(),
  clock: f.time(),
  data: f.json<{ tags: string[] }>(),
  anything: f.json(),
  kind: f.selection({
    options: [
      ["a", "A"],
      ["b", "B"],
    ],
  }),
  blob: f.binary(),
  secret: f.char({ readonly: true }),
  shout: f.char({ store: false, compute: (r) => String(r.secret ?? "").toUpperCase() }),
});

/** A record's data, without the methods every record carries (they are checked separately). */
export type Data<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] };
