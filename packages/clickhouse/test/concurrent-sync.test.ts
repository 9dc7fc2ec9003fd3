import { connect, f, model } from "@dotorm/core";
import { afterAll, expect, test } from "vitest";
import { clickhouse } from "../src/index.js";

// chDB runs one engine per process: two adapters on the same database are two sessions of it, like
// two application processes on one server. Their statements interleave at each await (sync is an
// introspection, then one statement per table, column and index), which is where two runs race:
// both see no table, both create it.
const database = `dotorm_sync_race_${process.pid}`;
const fields = {
  name: f.char({ maxLength: 50, required: true }),
  score: f.integer({ index: true }),
  tags_note: f.text(),
};
const opened: { close(): Promise<void> }[] = [];

async function open(table: string, extra: Record<string, ReturnType<typeof f.integer>> = {}) {
  const M = model(table, { ...fields, ...extra });
  const db = await connect(clickhouse({ embedded: true, database }), { models: [M], bind: false });
  opened.push(db);
  return { db, M };
}

afterAll(async () => {
  for (const db of opened) await db.close();
});

test("two syncs of the same models at once, from two connections, both succeed and leave one table", async () => {
  const [a, b] = [await open("race_items"), await open("race_items")];
  const ran = await Promise.all([a.db.sync(), b.db.sync()]);
  // both planned the table (neither saw the other's): the statements must be safe to run twice
  expect(ran[0]!.some((s) => s.startsWith("CREATE TABLE IF NOT EXISTS `race_items`"))).toBe(true);
  expect(ran[1]!.some((s) => s.startsWith("CREATE TABLE IF NOT EXISTS `race_items`"))).toBe(true);
  const cols = await a.db
    .sql`SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'race_items' ORDER BY position`;
  expect(cols.map((r) => r.name)).toEqual(["id", "name", "score", "tags_note"]);
  const idx = await a.db
    .sql`SELECT name FROM system.data_skipping_indices WHERE database = currentDatabase() AND table = 'race_items'`;
  expect(idx.map((r) => r.name)).toEqual(["idx_race_items_score"]);
  expect(await a.db.sync()).toEqual([]);
});

test("two syncs adding the same new column and index at once both succeed", async () => {
  await (await open("race_grow")).db.sync();
  const extra = { level: f.integer({ index: true }) };
  const [a, b] = [await open("race_grow", extra), await open("race_grow", extra)];
  const ran = await Promise.all([a.db.sync(), b.db.sync(), a.db.sync()]);
  for (const r of ran) expect(r).toContain("ALTER TABLE `race_grow` ADD COLUMN IF NOT EXISTS `level` Nullable(Int32)");
  const cols = await a.db
    .sql`SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'race_grow' ORDER BY position`;
  expect(cols.map((r) => r.name)).toEqual(["id", "name", "score", "tags_note", "level"]);
  expect(await b.db.sync()).toEqual([]);
});
