import { connect } from "@dotorm/core";
import { postgres } from "@dotorm/postgres";
import { afterAll, beforeAll, expect, test } from "vitest";
import { crud } from "../src/index.js";
import { models } from "./fixtures.js";

/** `relation.display` in field metadata names only what the API lets a client read. */
let db: Awaited<ReturnType<typeof connect>>;
beforeAll(async () => {
  db = await connect(postgres({ pglite: true }), { models });
  await db.sync();
});
afterAll(() => db?.close());

const relations = async (app: ReturnType<typeof crud>) => {
  const r = await app.request("/auto/notes/fields");
  expect(r.status).toBe(200);
  const { data } = (await r.json()) as { data: { name: string; relation?: unknown }[] };
  return Object.fromEntries(data.filter((f) => f.relation).map((f) => [f.name, f.relation]));
};

test("a related model that is not exposed for reading, or whose display field is another, says so", async () => {
  expect(
    (await relations(crud(db, { models: { notes: true, users: { read: false }, tags: true, note_lines: true } })))
      .owner_id,
  ).toEqual({ model: "users", kind: "many2one" });
  expect((await relations(crud(db, { models: ["notes", "tags", "note_lines"] }))).owner_id).toEqual({
    model: "users",
    kind: "many2one",
  });
  expect((await relations(crud(db, { models: { notes: true, users: { displayName: "login" } } }))).owner_id).toEqual({
    model: "users",
    kind: "many2one",
    display: "login",
  });
});
