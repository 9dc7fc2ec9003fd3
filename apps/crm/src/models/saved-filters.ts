import { f, model } from "@dotorm/core";
import { User } from "./users.js";

/**
 * A list filter a user saved under a name, for one model: the filter bar's conditions as the user
 * set them (field, operator, value; picked records keep their names). A record rule lets every user
 * see, change and delete only their own.
 *
 * @example
 * await SavedFilter.create({ name: "My hot leads", model: "leads", user_id: me, conditions: [{ field: "priority", op: "=", value: "3" }] });
 */
export const SavedFilter = model(
  "saved_filters",
  {
    name: f.char({ maxLength: 100, required: true }),
    model: f.char({ maxLength: 100, required: true }),
    conditions: f.json({ required: true }),
    user_id: f.many2one(() => User, { required: true, onDelete: "cascade" }),
    created_at: f.datetime({ default: "now", readonly: true }),
  },
  { indexes: [["user_id", "model"]] },
);
