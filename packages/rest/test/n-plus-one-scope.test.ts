import { type NPlusOneReport, connect } from "@dotorm/core";
import { postgres } from "@dotorm/postgres";
import { afterAll, beforeAll, expect, test } from "vitest";
import { crud } from "../src/index.js";
import { Note, User, models } from "./fixtures.js";

/** Each REST request is one N+1 scope: the generated routes stay silent, a route that loops is reported. */
let db: Awaited<ReturnType<typeof connect>>;
const reports: NPlusOneReport[] = [];
let owners: number[] = [];

beforeAll(async () => {
  db = await connect(postgres({ pglite: true }), { models, nPlusOne: { log: () => undefined } });
  await db.sync();
  owners = await User.createMany(Array.from({ length: 6 }, (_, i) => ({ name: `u${i}`, login: `u${i}` })));
  await Note.createMany(owners.map((o, i) => ({ title: `n${i}`, owner_id: o })));
  db.on("nPlusOne", (r) => reports.push(r));
});
afterAll(() => db?.close());

function app(options?: Parameters<typeof crud>[1]) {
  const a = crud(db, options);
  a.get("/loop", async (c) => {
    const notes = await Note.search({ fields: ["owner_id"] });
    for (const n of notes) await User.get(n.owner_id as number);
    return c.json({ n: notes.length });
  });
  return a;
}

test("the generated routes send no N+1, a handler looping over get() is reported per request", async () => {
  reports.length = 0;
  const a = app();
  expect(
    (await a.request(`/auto/notes?fields=title&nested=${encodeURIComponent(JSON.stringify({ owner_id: ["name"] }))}`))
      .status,
  ).toBe(200);
  expect(
    (
      await a.request(`/auto/notes/search`, {
        method: "POST",
        body: JSON.stringify({ nested: { owner_id: ["name"], tag_ids: ["name"] } }),
        headers: { "content-type": "application/json" },
      })
    ).status,
  ).toBe(200);
  expect(reports).toEqual([]);
  expect((await a.request("/loop")).status).toBe(200);
  expect((await a.request("/loop")).status).toBe(200);
  expect(reports).toHaveLength(2);
  expect(reports[0]).toMatchObject({ model: "users", operation: "get" });
  expect(reports[0]!.callSite).toMatch(/n-plus-one-scope\.test\.ts:\d+:\d+$/);
});

test("nPlusOne: false turns the per-request scope off; options override the database's", async () => {
  reports.length = 0;
  expect((await app({ nPlusOne: false }).request("/loop")).status).toBe(200);
  expect(reports).toEqual([]);
  expect((await app({ nPlusOne: { threshold: 10 } }).request("/loop")).status).toBe(200);
  expect(reports).toEqual([]);
  expect(() => crud(db, { nPlusOne: { mode: "shout" as never } })).toThrow(/mode must be/);
});

test("with NODE_ENV=production the scope is off by default and on when asked for", async () => {
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    reports.length = 0;
    expect((await app().request("/loop")).status).toBe(200);
    expect(reports).toEqual([]);
    expect((await app({ nPlusOne: true }).request("/loop")).status).toBe(200);
    expect((await app({ nPlusOne: { threshold: 5 } }).request("/loop")).status).toBe(200);
    expect(reports).toHaveLength(2);
  } finally {
    process.env.NODE_ENV = before;
  }
});
