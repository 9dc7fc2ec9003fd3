import { f, model } from "@dotorm/core";
import { User } from "./users.js";

/** The largest attachment accepted, in bytes (10 MB). */
export const maxAttachmentBytes = 10 * 1024 * 1024;

/** A file on any record (polymorphic: `res_model` + `res_id`), its bytes in a binary column. */
export const Attachment = model(
  "attachments",
  {
    res_model: f.char({ maxLength: 64, required: true }),
    res_id: f.integer({ required: true }),
    name: f.char({ maxLength: 255, required: true }),
    mime_type: f.char({ maxLength: 128, default: "application/octet-stream" }),
    size: f.integer({ readonly: true }),
    content: f.binary({ required: true }),
    user_id: f.many2one(() => User, { label: "Uploaded by" }),
    created_at: f.datetime({ default: "now", readonly: true }),
  },
  { indexes: [["res_model", "res_id"]] },
);
