import { f, model } from "@dotorm/core";
// declares the `clickhouse` model option (module augmentation of core's ModelOptions)
import type {} from "@dotorm/clickhouse";

/** The analytics model of the ClickHouse bench: ordered by time, partitioned by month. */
export const Event = model(
  "events",
  {
    type: f.selection({
      options: [
        ["view", "View"],
        ["click", "Click"],
        ["signup", "Signup"],
        ["purchase", "Purchase"],
      ],
      required: true,
    }),
    user_id: f.integer({ required: true }),
    at: f.datetime({ required: true }),
    day: f.date({ required: true }),
    amount: f.decimal({ precision: 12, scale: 2 }),
    page: f.char({ maxLength: 100 }),
  },
  { clickhouse: { orderBy: ["day", "type", "id"], partitionBy: "toYYYYMM(`day`)" } },
);

const types = ["view", "click", "signup", "purchase"] as const;
const start = Date.UTC(2025, 0, 1);

/** The `n` events both sides insert, one at a time (30 days, a row every 2.6 s). */
export function* events(n: number) {
  for (let i = 0; i < n; i++) {
    const at = new Date(start + Math.floor((i * 30 * 86_400_000) / n));
    yield {
      type: types[(i * 7) % 4] as (typeof types)[number],
      user_id: i % 10_000,
      at,
      day: at.toISOString().slice(0, 10),
      amount: i % 3 === 0 ? `${i % 1000}.${String(i % 100).padStart(2, "0")}` : null,
      page: `/p/${i % 500}`,
    };
  }
}

/** The same events, all in memory (what both sides insert in the array comparison). */
export function makeEvents(n: number) {
  return [...events(n)];
}
