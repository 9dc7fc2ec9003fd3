/**
 * The quick example of DotORM's documentation, call by call, on embedded PGlite, then a few
 * analytics calls on embedded ClickHouse (chDB): nothing to install but Node. What each call
 * returned is printed, and what the printout claims is asserted (`pnpm test` runs this file).
 */
import assert from "node:assert/strict";
import { connect } from "@dotorm/core";
import { postgres } from "@dotorm/postgres";
import { analytics } from "./analytics.js";
import { Chat, ChatMessage, User } from "./models.js";

const show = (label: string, value: unknown) => console.log(`\n> ${label}\n${JSON.stringify(value, null, 2)}`);

const db = await connect(postgres({ pglite: true }), { models: [User, Chat, ChatMessage] });
let statements = 0;
db.on("query", () => statements++);

show("db.sync()", await db.sync());

const userId = await User.create({ name: "Ann", login: "ann" });
show("User.create({ name: 'Ann', login: 'ann' })", userId);

const chatId = await Chat.create({ name: "General", creator_id: userId });
show("Chat.create({ name: 'General', creator_id: userId })", chatId);

const sameWithRecord = await Chat.create({ name: "Random", creator_id: await User.get(userId) });
show("Chat.create({ name: 'Random', creator_id: <User record> })", sameWithRecord);

await ChatMessage.createMany([
  { chat_id: chatId, author_user_id: userId, body: "Hello everyone!" },
  { chat_id: chatId, body: "A message without an author" },
]);

show("Chat.get(chatId)", await Chat.get(chatId));
show(
  "Chat.get(chatId, { fields: ['name', 'is_archived'] })",
  await Chat.get(chatId, { fields: ["name", "is_archived"] }),
);

const before = statements;
const slim = await Chat.get(chatId, {
  fields: ["name", "is_archived"],
  nested: { creator_id: ["name", "id"], messages: ["body", { author_user_id: ["name"] }] },
});
show(`Chat.get(chatId, { fields, nested }) — ${statements - before} SQL statement(s)`, slim);
console.log(`slim.creator_id.name = ${slim.creator_id.name}`);
assert.equal(statements - before, 1, "a get with nested many2one and one2many is one statement");
assert.deepEqual(
  slim.messages.map((m) => [m.body, (m.author_user_id as { name: string } | null)?.name ?? null]),
  [
    ["Hello everyone!", "Ann"],
    ["A message without an author", null],
  ],
);

show(
  "Chat.search({ filter: [['is_archived', '=', false]], fields: ['id', 'name'], order: 'id', sort: 'desc', limit: 20 })",
  await Chat.search({
    filter: [["is_archived", "=", false]],
    fields: ["id", "name"],
    order: "id",
    sort: "desc",
    limit: 20,
  }),
);

const chat = await Chat.get(chatId);
await chat.update({ name: "New Name" });
show(
  "chat.update({ name: 'New Name' }) then Chat.get(chatId, { fields: ['name'] })",
  await Chat.get(chatId, { fields: ["name"] }),
);

assert.equal(await ChatMessage.count({ filter: [["chat_id", "=", chatId]] }), 2);
await chat.delete();
show("chat.delete() then Chat.getOrNull(chatId)", await Chat.getOrNull(chatId));
const messagesLeft = await ChatMessage.count();
show("ChatMessage.count() (messages went with the chat: onDelete cascade)", messagesLeft);
assert.equal(messagesLeft, 0, "the chat's messages went with it (onDelete cascade)");

await db.close();
console.log(`\nPGlite: ${statements} SQL statements in all.`);

console.log("\n--- the same layer on ClickHouse, embedded through chDB ---");
const chStatements = await analytics(show, chatId);
console.log(`\nchDB: ${chStatements} SQL statements in all.`);
