import { f, model } from "@dotorm/core";
// declares the `clickhouse` model option (module augmentation of core's ModelOptions)
import type {} from "@dotorm/clickhouse";

/** What happened: a lead entered a stage, a sale was confirmed, a message was sent, a user logged in. */
export const eventKinds = [
  ["lead_stage", "Lead changed stage"],
  ["sale_confirmed", "Sale confirmed"],
  ["message", "Message sent"],
  ["login", "Login"],
] as const;

/** The kind of an {@link Event}. */
export type EventKind = (typeof eventKinds)[number][0];

/**
 * The analytics fact table, on ClickHouse (chDB embedded, or a server). Plain ids, no foreign keys:
 * it lives in another database than the records it describes.
 */
export const Event = model(
  "events",
  {
    kind: f.selection({ options: eventKinds, required: true }),
    user_id: f.integer(),
    lead_id: f.integer(),
    stage_id: f.integer(),
    team_id: f.integer(),
    chat_id: f.integer(),
    amount: f.decimal({ precision: 14, scale: 2, default: "0" }),
    at: f.datetime({ required: true }),
  },
  { clickhouse: { orderBy: ["kind", "at", "id"], partitionBy: "toYYYYMM(at)" } },
);
