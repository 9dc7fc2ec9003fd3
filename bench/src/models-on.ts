/**
 * The bench's three models (as `models.ts` declares them) on a given build of `@dotorm/core`: models
 * bind to the core that defines them, so a bench measuring another worktree's build (`ab-builds`,
 * `pg-read-back` with `READ_BACK_ROOT`) declares them again on that build's core.
 */
export function benchModelsOn(core: typeof import("@dotorm/core")) {
  const { model, f } = core;
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
  return { User, Chat, ChatMessage };
}
