import { type AnyModel, f, model } from "@dotorm/core";

/**
 * One field of every scalar type (all optional): the `Thing` of the conformance models, and any test
 * model that must carry every type.
 */
export function scalarFields() {
  return {
    small: f.smallInteger(),
    count: f.integer({ default: 0 }),
    big: f.bigInteger(),
    ratio: f.float(),
    price: f.decimal({ precision: 10, scale: 2 }),
    flag: f.boolean(),
    at: f.datetime(),
    day: f.date(),
    clock: f.time(),
    data: f.json(),
    kind: f.selection({
      options: [
        ["a", "A"],
        ["b", "B"],
      ],
    }),
    blob: f.binary(),
    notes: f.text(),
  };
}

/**
 * The conformance models, built fresh per suite with a table prefix so suites can share a
 * database. They mirror CONTRACT.md's examples plus a model with every scalar field type.
 */
export function makeModels(prefix: string) {
  const t = (name: string) => `${prefix}_${name}`;

  const Role = model(t("roles"), {
    code: f.char({ maxLength: 50, required: true, unique: true }),
    name: f.char({ maxLength: 255 }),
  });

  const User = model(t("users"), {
    name: f.char({ maxLength: 255, required: true }),
    login: f.char({ maxLength: 100, unique: true }),
    bio: f.text(),
    is_active: f.boolean({ default: true }),
    role_ids: f.many2many(() => Role, { table: t("user_roles"), column1: "user_id", column2: "role_id" }),
    // one2one and its many2one point at each other: the annotated thunk breaks the type-level cycle
    profile: f.one2one((): AnyModel => Profile, "user_id"),
    team_ids: f.many2many((): AnyModel => Team),
  });

  const Profile = model(t("profiles"), {
    user_id: f.many2one(() => User, { onDelete: "cascade" }),
    bio: f.text(),
  });

  /** A many2many with default link table and columns. */
  const Team = model(t("teams"), {
    name: f.char({ maxLength: 100, required: true }),
    member_ids: f.many2many(() => User),
  });

  const Chat = model(t("chats"), {
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
    // Chat and ChatMessage point at each other; annotating one thunk breaks the type-level cycle
    // (see the core README, "Models that reference each other").
    messages: f.one2many((): AnyModel => ChatMessage, "chat_id"),
  });

  class ChatMessage extends model(t("chat_messages"), {
    chat_id: f.many2one(() => Chat, { required: true, onDelete: "cascade" }),
    author_user_id: f.many2one(() => User),
    body: f.text(),
    created_at: f.datetime({ default: "now", readonly: true }),
  }) {
    preview(): string {
      return (this.body ?? "").slice(0, 10);
    }
  }

  const Thing = model(t("things"), {
    label: f.char({ maxLength: 20, required: true }),
    ...scalarFields(),
    code: f.char({ maxLength: 10, column: "thing_code", index: true }),
    secret: f.char({ maxLength: 50, readonly: true }),
    shout: f.char({
      store: false,
      compute: (r: Record<string, unknown>) => String(r.label ?? "").toUpperCase(),
      depends: ["label"],
    }),
  });

  return {
    Role,
    User,
    Profile,
    Team,
    Chat,
    ChatMessage,
    Thing,
    models: [Role, User, Profile, Team, Chat, ChatMessage, Thing] as const,
  };
}

/** The models of one suite. */
export type TestModels = ReturnType<typeof makeModels>;
