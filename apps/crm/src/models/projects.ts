import { type AnyModel, f, model } from "@dotorm/core";
import { User } from "./users.js";

/** A project: a manager and its tasks. */
export const Project = model("projects", {
  name: f.char({ maxLength: 255, required: true }),
  description: f.text(),
  user_id: f.many2one(() => User, { label: "Manager" }),
  active: f.boolean({ default: true }),
  task_ids: f.one2many((): AnyModel => Task, "project_id"),
});

/** A column of the task board. */
export const TaskStage = model("task_stages", {
  name: f.char({ maxLength: 100, required: true }),
  sequence: f.integer({ default: 10 }),
  is_closed: f.boolean({ default: false }),
});

/** A label on tasks. */
export const TaskTag = model("task_tags", {
  name: f.char({ maxLength: 64, required: true, unique: true }),
  color: f.smallInteger({ default: 0 }),
});

/** A task of a project. */
export const Task = model(
  "tasks",
  {
    name: f.char({ maxLength: 255, required: true }),
    project_id: f.many2one(() => Project, { required: true, onDelete: "cascade" }),
    stage_id: f.many2one(() => TaskStage),
    user_id: f.many2one(() => User, { label: "Assigned to" }),
    tag_ids: f.many2many(() => TaskTag, { table: "task_tag_rel", column1: "task_id", column2: "tag_id" }),
    priority: f.selection({
      options: [
        ["0", "Normal"],
        ["1", "High"],
        ["2", "Urgent"],
      ],
      default: "0",
    }),
    deadline: f.date(),
    description: f.text(),
    created_at: f.datetime({ default: "now", readonly: true }),
  },
  { indexes: [["project_id", "stage_id"]] },
);
