import { connect, f, model, type AnyModel } from "@dotorm/core";
import { postgres } from "@dotorm/postgres";

export const User = model("users", {
  name: f.char({ maxLength: 255, required: true }),
  login: f.char({ maxLength: 100, unique: true }),
});

export const Chat = model("chats", {
  name: f.char({ maxLength: 255, required: true }),
  description: f.text(),
  is_archived: f.boolean({ default: false }),
  creator_id: f.many2one(() => User, { required: true }),
  messages: f.one2many((): AnyModel => ChatMessage, "chat_id"),
});

export class ChatMessage extends model("chat_messages", {
  chat_id: f.many2one(() => Chat, { required: true, onDelete: "cascade" }),
  body: f.text(),
}) {
  preview() { return (this.body ?? "").slice(0, 80); }
}

const db = await connect(postgres({ pglite: true }), { models: [User, Chat, ChatMessage] });
await db.sync();

// create
const annId = await User.create({ name: "Ann", login: "ann" });
const chatId = await Chat.create({ name: "General", creator_id: annId });
await ChatMessage.create({ chat_id: chatId, body: "Hello everyone!" });
// read
const chat = await Chat.get(chatId);
const slim = await Chat.get(chatId, { fields: ["name", "is_archived"], nested: { creator_id: ["name", "id"] } });
console.log(slim.creator_id.name); // "Ann": string, typed from the request; one SQL statement
// search
const chats = await Chat.search({ filter: [["is_archived", "=", false]], fields: ["id", "name"], order: "id", sort: "desc", limit: 20 });
console.log(chats.map((c) => c.name)); // [ "General" ]
// update, delete (the chat's messages go with it: onDelete "cascade")
await chat.update({ name: "New Name" });
await chat.delete();
console.log(await ChatMessage.count()); // 0

await db.close();
