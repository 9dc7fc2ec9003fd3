import { type AnyModel, accessModels, f, model } from "@dotorm/core";

/** The access tables (roles with inherited roles, access lists, record rules) administered as data. */
export const access = accessModels();
export const Role = access.Role;

/** The interface languages a user can pick. */
export const languages = [
  ["en", "English"],
  ["ru", "Русский"],
  ["de", "Deutsch"],
] as const;

/** A person who logs in. The password hash is private: no API route ever returns or filters on it. */
export const User = model("users", {
  name: f.char({ maxLength: 255, required: true }),
  login: f.char({ maxLength: 100, required: true, unique: true }),
  email: f.char({ maxLength: 255 }),
  password_hash: f.char({ maxLength: 255, private: true }),
  is_admin: f.boolean({ default: false }),
  active: f.boolean({ default: true }),
  lang: f.selection({ options: languages, default: "en" }),
  role_ids: f.many2many(() => Role, { table: "user_roles", column1: "user_id", column2: "role_id" }),
  team_ids: f.many2many((): AnyModel => SalesTeam, {
    table: "sales_team_members",
    column1: "user_id",
    column2: "team_id",
  }),
});

/** A sales team: a leader and members; managers see their teams' leads and sales. */
export const SalesTeam = model("sales_teams", {
  name: f.char({ maxLength: 255, required: true, unique: true }),
  leader_id: f.many2one(() => User),
  member_ids: f.many2many(() => User, { table: "sales_team_members", column1: "team_id", column2: "user_id" }),
});

/** A login session. Only the SHA-256 of its token is stored, and it is private. */
export const Session = model("sessions", {
  token_hash: f.char({ maxLength: 64, required: true, unique: true, private: true }),
  user_id: f.many2one(() => User, { required: true, onDelete: "cascade" }),
  expires_at: f.datetime({ required: true, index: true }),
  user_agent: f.char({ maxLength: 255 }),
  ip: f.char({ maxLength: 64 }),
  created_at: f.datetime({ default: "now", readonly: true }),
});
