/**
 * Reading rows back alone on PostgreSQL, as `mysql-read-back` does on MariaDB: the rows of the nested
 * chat, the page of 100 with creators and a get by id, recorded once from the bench schema, turned
 * into records again and again by the compiler's nesting strategy (`compiler.read`: hydration, nothing
 * else). `pnpm --filter @dotorm/bench pg-read-back`; prints the median and the five rounds, µs of CPU
 * per read. `READ_BACK_ROOT=/work/main` reads with another worktree's builds (an A/B against main).
 * Run `cpu --setup` once first (it seeds the schema).
 */
import { benchUrl } from "./pg-setup.js";
import { timeReadBack } from "./read-back.js";

const root = process.env.READ_BACK_ROOT;
const core = (await import(
  root ? `${root}/packages/core/dist/index.js` : "@dotorm/core"
)) as typeof import("@dotorm/core");
const { postgres } = (await import(
  root ? `${root}/packages/postgres/dist/index.js` : "@dotorm/postgres"
)) as typeof import("@dotorm/postgres");
const { f, model, connect } = core;
// the bench models, on the core being measured (models bind to one core)
const User = model("users", {
  name: f.char({ maxLength: 255, required: true }),
  login: f.char({ maxLength: 100, unique: true }),
  is_active: f.boolean({ default: true }),
});
const Chat = model("chats", {
  name: f.char({ maxLength: 255, required: true }),
  is_archived: f.boolean({ default: false }),
  creator_id: f.many2one(() => User, { required: true }),
  messages: f.one2many((): import("@dotorm/core").AnyModel => ChatMessage, "chat_id"),
});
const ChatMessage = model("chat_messages", {
  chat_id: f.many2one(() => Chat, { required: true, onDelete: "cascade" }),
  author_user_id: f.many2one(() => User),
  body: f.text(),
  created_at: f.datetime({ default: "now", readonly: true }),
});
const db = await connect(postgres({ url: benchUrl, max: 2 }), { models: [User, Chat, ChatMessage] });
await timeReadBack(db, Chat);
