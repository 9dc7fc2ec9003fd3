import { f, model } from "@dotorm/core";
import { User } from "./users.js";

/** Kinds of planned activity. */
export const activityTypes = [
  ["call", "Call"],
  ["meeting", "Meeting"],
  ["email", "Email"],
  ["todo", "To do"],
] as const;

/** Where an activity stands: done, or from its deadline against today's date (UTC). */
export function activityState(deadline: unknown, done: unknown, today = new Date().toISOString().slice(0, 10)): string {
  if (done === true) return "done";
  if (typeof deadline !== "string") return "planned";
  return deadline < today ? "overdue" : deadline === today ? "today" : "planned";
}

/** A planned call, meeting, email or to-do on any record (polymorphic: `res_model` + `res_id`). */
export const Activity = model(
  "activities",
  {
    res_model: f.char({ maxLength: 64, required: true }),
    res_id: f.integer({ required: true }),
    activity_type: f.selection({ options: activityTypes, default: "todo", required: true }),
    summary: f.char({ maxLength: 255 }),
    note: f.text(),
    deadline: f.date({ required: true }),
    done: f.boolean({ default: false }),
    user_id: f.many2one(() => User, { required: true, label: "Assigned to" }),
    state: f.char({ store: false, depends: ["deadline", "done"], compute: (r) => activityState(r.deadline, r.done) }),
    created_at: f.datetime({ default: "now", readonly: true }),
  },
  { indexes: [["res_model", "res_id"]] },
);
