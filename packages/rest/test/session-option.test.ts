import { connect } from "@dotorm/core";
import { postgres } from "@dotorm/postgres";
import { afterAll, beforeAll, expect, test } from "vitest";
import { crud, unauthorized } from "../src/index.js";
import { Note, User, models } from "./fixtures.js";

/** `session(c)` may answer directly or with a promise; either way the request runs as that session. */
let db: Awaited<ReturnType<typeof connect>>;
let mine = 0;

beforeAll(async () => {
  // the session is the id of the one note it may read
  db = await connect(postgres({ pglite: true }), {
    models,
    access: {
      check: ({ session, model, operation }) =>
        model === Note.meta.table && operation === "read" ? [["id", "=", (session as number | undefined) ?? 0]] : true,
    },
  });
  await db.sync();
  const owner = await db.sudo(() => User.create({ name: "o", login: "o" }));
  const ids = await db.sudo(() => Note.createMany([1, 2, 3].map((i) => ({ title: `n${i}`, owner_id: owner }))));
  mine = ids[1] as number;
});
afterAll(() => db?.close());

const ids = async (r: Response) => ((await r.json()) as { data: { id: number }[] }).data.map((n) => n.id);

test("a session given directly or by a promise scopes the page the same way", async () => {
  for (const session of [() => mine, async () => mine]) {
    const r = await crud(db, { nPlusOne: false, session }).request("/auto/notes?fields=title");
    expect(r.status).toBe(200);
    expect(await ids(r)).toEqual([mine]);
  }
});

test("a session function that throws or rejects answers with its error, and reads nothing", async () => {
  for (const session of [
    () => {
      throw unauthorized();
    },
    async () => {
      throw unauthorized();
    },
  ]) {
    const r = await crud(db, { nPlusOne: false, session }).request("/auto/notes");
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
  }
});
