import { describe, expect, test } from "vitest";
import { sessionStore } from "../src/run/context.js";
import { Database } from "../src/run/database.js";

// withSession and sudo read and write only the session store, not the database's state, so the
// methods are exercised on a bare instance (no engine is needed to observe the store).
const db = Object.create(Database.prototype) as Database;
const store = async () => sessionStore.getStore();

describe("withSession and the session store", () => {
  test("withSession(undefined) outside any session enters no store", async () => {
    expect(sessionStore.getStore()).toBeUndefined();
    expect(await db.withSession(undefined, store)).toBeUndefined();
    expect(sessionStore.getStore()).toBeUndefined();
  });

  test("a session nested in withSession(undefined) is current inside and gone after", async () => {
    const seen = await db.withSession(undefined, async () => ({
      inner: await db.withSession({ user: 7 }, store),
      after: sessionStore.getStore(),
    }));
    expect(seen).toEqual({ inner: { session: { user: 7 }, sudo: false }, after: undefined });
  });

  test("withSession(undefined) inside a session or sudo runs as no session, then restores the outer state", async () => {
    const seen = await db.withSession({ user: 1 }, async () => ({
      none: await db.withSession(undefined, store),
      outer: sessionStore.getStore(),
      fromSudo: await db.sudo(() => db.withSession(undefined, store)),
    }));
    expect(seen).toEqual({
      none: { session: undefined, sudo: false },
      outer: { session: { user: 1 }, sudo: false },
      fromSudo: { session: undefined, sudo: false },
    });
  });
});
