import { ConfigurationError, type Database, connect, f, model } from "@dotorm/core";
import { postgres } from "@dotorm/postgres";
import { afterAll, beforeAll, expect, test } from "vitest";
import { clickhouse } from "../src/index.js";

/** One model definition, read on PostgreSQL (PGlite) and written to ClickHouse (chDB) in one process. */
const Event = model("two_dialect_events", {
  kind: f.char({ maxLength: 20, required: true }),
  amount: f.integer({ required: true }),
  payload: f.json({ default: { source: "app" } }),
});

let pg: Database;
let ch: Database;

beforeAll(async () => {
  pg = await connect(postgres({ pglite: true }), { models: [Event] });
  ch = await connect(clickhouse({ embedded: true, database: `dotorm_two_dialects_${process.pid}` }), {
    models: [Event],
    bind: false,
  });
  await pg.sync();
  await ch.sync();
});

afterAll(async () => {
  await ch?.close();
  await pg?.close();
});

test("read PostgreSQL through the bound statics, write ClickHouse through ch.model(Event), with one definition", async () => {
  await Event.createMany([
    { kind: "click", amount: 2 },
    { kind: "view", amount: 5 },
    { kind: "click", amount: 3, payload: { source: "api" } },
  ]);
  const Events = ch.model(Event);
  const rows = await Event.query().orderBy("id").values("kind", "amount", "payload");
  expect(await Events.createMany(rows as never)).toHaveLength(3);
  const totals = await Events.query()
    .groupBy("kind")
    .aggregate({ total: ["amount", "sum"] });
  expect(totals.map((t) => [t.kind, t.total]).sort()).toEqual([
    ["click", 5],
    ["view", 5],
  ]);
  expect(await Events.filter({ payload__isnull: false } as never).count()).toBe(3);
  // each database has its own rows; a second connect binding Event to ClickHouse is refused
  expect(await Event.count()).toBe(3);
  await Events.query().filter({ kind: "view" }).delete();
  expect(await Events.count()).toBe(2);
  expect(await Event.count()).toBe(3);
  await expect(connect(ch.adapter, { models: [Event] })).rejects.toBeInstanceOf(ConfigurationError);
});
