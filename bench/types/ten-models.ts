/**
 * A consumer file of ten related models and the calls an application makes on them: what
 * `pnpm --filter @dotorm/bench types` type-checks to measure the cost of DotORM's types.
 */
import { type AnyModel, f, model } from "@dotorm/core";

export const Role = model("roles", { code: f.char({ maxLength: 50, required: true, unique: true }), name: f.char() });
export const Team = model("teams", { name: f.char({ required: true }), leader_id: f.many2one((): AnyModel => User) });
export const User = model("users", {
  name: f.char({ maxLength: 255, required: true }),
  login: f.char({ maxLength: 100, unique: true }),
  email: f.char(),
  is_admin: f.boolean({ default: false }),
  lang: f.selection({ options: [["en", "English"], ["fr", "French"]], default: "en" }),
  role_ids: f.many2many(() => Role),
  team_ids: f.many2many(() => Team),
});
export const Partner = model("partners", {
  name: f.char({ required: true }),
  email: f.char(),
  is_company: f.boolean({ default: false }),
  parent_id: f.many2one((): AnyModel => Partner),
  user_id: f.many2one(() => User),
});
export const Stage = model("lead_stages", { name: f.char({ required: true }), sequence: f.integer({ default: 10 }), is_won: f.boolean(), is_lost: f.boolean() });
export const Tag = model("lead_tags", { name: f.char({ required: true }), color: f.integer() });
export const Lead = model("leads", {
  name: f.char({ required: true }),
  partner_id: f.many2one(() => Partner),
  stage_id: f.many2one(() => Stage, { required: true }),
  user_id: f.many2one(() => User),
  team_id: f.many2one(() => Team),
  expected_revenue: f.decimal({ precision: 12, scale: 2 }),
  probability: f.integer({ default: 10 }),
  deadline: f.date(),
  created_at: f.datetime({ default: "now", readonly: true }),
  tag_ids: f.many2many(() => Tag),
  activity_ids: f.one2many((): AnyModel => Activity, "lead_id"),
});
export const Activity = model("activities", {
  lead_id: f.many2one(() => Lead, { required: true, onDelete: "cascade" }),
  user_id: f.many2one(() => User),
  summary: f.char({ required: true }),
  due: f.datetime(),
  done: f.boolean({ default: false }),
});
export const Chat = model("chats", {
  name: f.char({ required: true }),
  creator_id: f.many2one(() => User, { required: true }),
  is_archived: f.boolean({ default: false }),
  messages: f.one2many((): AnyModel => Message, "chat_id"),
});
export const Message = model("chat_messages", {
  chat_id: f.many2one(() => Chat, { required: true, onDelete: "cascade" }),
  author_id: f.many2one(() => User),
  body: f.text(),
  created_at: f.datetime({ default: "now", readonly: true }),
});

export async function calls(): Promise<unknown[]> {
  const lead = await Lead.get(1, { fields: ["name", "probability"], nested: { stage_id: ["name", "is_won"], partner_id: ["name", "email"], tag_ids: ["name"] } });
  const leads = await Lead.search({
    filter: [["stage_id.is_won", "=", false], ["probability", ">=", 50], "or", ["user_id.login", "ilike", "ann"], ["tag_ids", "in", [1, 2]]],
    fields: ["name", "expected_revenue", "deadline"],
    nested: { user_id: ["name"], team_id: { fields: ["name"], nested: { leader_id: ["name"] } } },
    order: "probability desc, id",
    limit: 50,
  });
  const users = await User.search({ filter: [["is_admin", "=", true], ["lang", "in", ["en", "fr"]]], nested: { role_ids: ["code"], team_ids: ["name"] }, order: "name" });
  const partners = await Partner.search({ filter: [["is_company", "=", true], ["user_id.team_ids.name", "=", "Sales"]], fields: ["name"] });
  const chat = await Chat.get(1, { nested: { creator_id: ["name", "login"], messages: ["body"] } });
  const activities = await Activity.search({ filter: [["done", "=", false], ["due", "<", new Date()]], nested: { lead_id: ["name"], user_id: ["name"] }, order: "due" });
  const id = await Lead.create({ name: "New", stage_id: 1, expected_revenue: "1000.00", tag_ids: [1, 2] });
  await Lead.updateMany([["probability", "<", 10]], { probability: 10 });
  await Message.createMany([{ chat_id: 1, body: "hi" }, { chat_id: 1, author_id: 2, body: "hello" }]);
  const stages = await Stage.search({ order: "sequence, id" });
  const tags = await Tag.count({ filter: [["color", "between", [1, 5]]] });
  const roles = await Role.search({ filter: [["code", "=like", "adm%"]] });
  const teams = await Team.search({ nested: { leader_id: ["name"] } });
  return [lead.stage_id.name, leads[0]?.user_id?.name, users, partners, chat.creator_id.login, activities, id, stages, tags, roles, teams];
}
