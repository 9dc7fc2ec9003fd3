import { connect } from "@dotorm/core";
import { postgres } from "@dotorm/postgres";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { crud, unauthorized } from "../src/index.js";
import { listQuery } from "../src/request-schemas.js";
import { Note, User, models } from "./fixtures.js";

/** A list query string asked again is not validated again; a bad one, or one without a session, fails each time. */
let db: Awaited<ReturnType<typeof connect>>;
let owners: number[] = [];

beforeAll(async () => {
  // the session is the id of the owner whose notes it may read
  db = await connect(postgres({ pglite: true }), {
    models,
    access: {
      check: ({ session, model, operation }) =>
        model === Note.meta.table && operation === "read" ? [["owner_id", "=", (session as number) ?? 0]] : true,
    },
  });
  await db.sync();
  owners = await db.sudo(() =>
    User.createMany([
      { name: "a", login: "a" },
      { name: "b", login: "b" },
    ]),
  );
  await db.sudo(() =>
    Note.createMany(owners.flatMap((o, i) => [1, 2].map((n) => ({ title: `${i}-${n}`, owner_id: o })))),
  );
});
afterAll(() => db?.close());

const titles = async (r: Response) =>
  ((await r.json()) as { data: { title: string }[] }).data.map((n) => n.title).sort();

test("the same list query of two sessions is validated once, and each gets its own rows", async () => {
  let session = owners[0] as number;
  const app = crud(db, { nPlusOne: false, session: () => session });
  const page = "/auto/notes?fields=title&nested=%7B%22owner_id%22%3A%5B%22name%22%5D%7D&order=id&limit=10";
  const parse = vi.spyOn(listQuery, "safeParse");
  try {
    const first = await app.request(page);
    expect(await titles(first)).toEqual(["0-1", "0-2"]);
    session = owners[1] as number;
    const second = await app.request(page);
    expect(await titles(second)).toEqual(["1-1", "1-2"]);
    expect(parse).toHaveBeenCalledTimes(1);
    // another query string is validated on its own
    expect((await app.request("/auto/notes?fields=title&limit=5")).status).toBe(200);
    expect(parse).toHaveBeenCalledTimes(2);
  } finally {
    parse.mockRestore();
  }
});

test("a bad query is refused every time; an unknown field is refused after the session, every time", async () => {
  let signedIn = false;
  const app = crud(db, {
    nPlusOne: false,
    session: () => {
      if (!signedIn) throw unauthorized();
      return owners[0] as number;
    },
  });
  for (let i = 0; i < 2; i++) expect((await app.request("/auto/notes?limit=nope")).status).toBe(400);
  // without a session the field names stay unknown to the caller
  for (let i = 0; i < 2; i++) expect((await app.request("/auto/notes?fields=secret_thing")).status).toBe(401);
  signedIn = true;
  for (let i = 0; i < 2; i++) expect((await app.request("/auto/notes?fields=secret_thing")).status).toBe(400);
  // a query first read with a session is still refused without one
  expect((await app.request("/auto/notes?fields=title")).status).toBe(200);
  signedIn = false;
  expect((await app.request("/auto/notes?fields=title")).status).toBe(401);
});
