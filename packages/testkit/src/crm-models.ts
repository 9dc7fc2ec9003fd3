import { type AnyModel, f, model } from "@dotorm/core";

/** A FARA-like CRM schema (users and roles, partners, teams, leads and stages, chats), for `inspect` round trips. */
export function crmModels(prefix: string): AnyModel[] {
  const t = (name: string) => `${prefix}_${name}`;
  const Role = model(t("roles"), {
    code: f.char({ maxLength: 50, required: true, unique: true }),
    name: f.char({ maxLength: 120 }),
  });
  const User = model(t("users"), {
    name: f.char({ maxLength: 255, required: true }),
    login: f.char({ maxLength: 100, required: true, unique: true }),
    is_admin: f.boolean({ required: true, default: false }),
    lang: f.selection({
      options: [
        ["en", "English"],
        ["ru", "Russian"],
      ],
      default: "en",
    }),
    role_ids: f.many2many(() => Role, { table: t("user_roles"), column1: "user_id", column2: "role_id" }),
  });
  const Team = model(t("teams"), {
    name: f.char({ maxLength: 120, required: true }),
    leader_id: f.many2one(() => User),
  });
  const Partner = model(t("partners"), {
    name: f.char({ maxLength: 255, required: true }),
    email: f.char({ maxLength: 200, index: true }),
    parent_id: f.many2one((): AnyModel => Partner, { onDelete: "cascade" }),
    notes: f.text(),
  });
  const Stage = model(t("lead_stages"), {
    name: f.char({ maxLength: 80, required: true }),
    sequence: f.integer({ required: true, default: 10 }),
  });
  const Lead = model(
    t("leads"),
    {
      name: f.char({ maxLength: 255, required: true }),
      user_id: f.many2one(() => User),
      partner_id: f.many2one(() => Partner, { onDelete: "set null" }),
      stage_id: f.many2one(() => Stage, { required: true, onDelete: "restrict" }),
      team_id: f.many2one(() => Team, { onDelete: "no action" }),
      expected_revenue: f.decimal({ precision: 12, scale: 2 }),
      probability: f.float(),
      created_at: f.datetime({ default: "now" }),
      active: f.boolean({ required: true, default: true }),
      meta: f.json(),
    },
    { indexes: [["stage_id", "user_id"]] },
  );
  const Chat = model(t("chats"), {
    name: f.char({ maxLength: 255, required: true }),
    is_archived: f.boolean({ default: false }),
  });
  const Message = model(t("chat_messages"), {
    chat_id: f.many2one(() => Chat, { required: true, onDelete: "cascade" }),
    author_id: f.many2one(() => User),
    body: f.text(),
    starred: f.boolean({ default: false }),
    sent_on: f.date(),
  });
  return [Role, User, Team, Partner, Stage, Lead, Chat, Message];
}
