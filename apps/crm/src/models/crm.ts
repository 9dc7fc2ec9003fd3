import { type AnyModel, f, model } from "@dotorm/core";
import { SalesTeam, User } from "./users.js";

/** Companies and their contacts in one table, as a hierarchy: a contact's parent is its company. */
export const Partner = model(
  "partners",
  {
    name: f.char({ maxLength: 255, required: true }),
    is_company: f.boolean({ default: false }),
    parent_id: f.many2one((): AnyModel => Partner, { label: "Company" }),
    child_ids: f.one2many((): AnyModel => Partner, "parent_id", { label: "Contacts" }),
    email: f.char({ maxLength: 255 }),
    phone: f.char({ maxLength: 64 }),
    city: f.char({ maxLength: 128 }),
    country: f.char({ maxLength: 128 }),
    website: f.char({ maxLength: 255 }),
    user_id: f.many2one(() => User, { label: "Account manager" }),
    // read-only here: leads change through /auto/leads, where stage changes become analytics events
    lead_ids: f.one2many((): AnyModel => Lead, "partner_id", { label: "Leads", readonly: true }),
    created_at: f.datetime({ default: "now", readonly: true }),
  },
  { indexes: [["name", "is_company"]] },
);

/** A column of the pipeline; a won or lost stage closes the lead. */
export const LeadStage = model("lead_stages", {
  name: f.char({ maxLength: 100, required: true }),
  sequence: f.integer({ default: 10 }),
  is_won: f.boolean({ default: false }),
  is_lost: f.boolean({ default: false }),
  probability: f.integer({ default: 10, help: "default probability (%) of leads entering the stage" }),
});

/** A label on leads. */
export const LeadTag = model("lead_tags", {
  name: f.char({ maxLength: 64, required: true, unique: true }),
  color: f.smallInteger({ default: 0 }),
});

/** Lead priorities, as stars. */
export const priorities = [
  ["0", "Normal"],
  ["1", "Good"],
  ["2", "Very good"],
  ["3", "Excellent"],
] as const;

/** A sales opportunity: a partner, a contact, a stage, an owner and a team. */
export const Lead = model(
  "leads",
  {
    name: f.char({ maxLength: 255, required: true }),
    partner_id: f.many2one(() => Partner, { label: "Company" }),
    contact_id: f.many2one(() => Partner, { label: "Contact" }),
    stage_id: f.many2one(() => LeadStage, { required: true }),
    user_id: f.many2one(() => User, { label: "Salesperson" }),
    team_id: f.many2one(() => SalesTeam),
    expected_revenue: f.decimal({ precision: 14, scale: 2, default: "0" }),
    probability: f.smallInteger({ default: 10 }),
    deadline: f.date(),
    tag_ids: f.many2many(() => LeadTag, { table: "lead_tag_rel", column1: "lead_id", column2: "tag_id" }),
    priority: f.selection({ options: priorities, default: "0" }),
    lost_reason: f.char({ maxLength: 255 }),
    description: f.text(),
    created_at: f.datetime({ default: "now", readonly: true }),
  },
  { indexes: [["stage_id", "user_id"]] },
);
