import { ConnectionError, connect } from "@dotorm/core";
import { describe, expect, test } from "vitest";
import { mysql } from "../src/index.js";
import { mysqlUrl } from "./targets.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The driver bounds each statement by `queryTimeout` on one timer per connection, re-armed by every
 * statement (src/mysql2-calls.ts, StatementWatch). One connection (max 1), so every call shares it,
 * and no server-side limit (statementTimeout 0), so only the client's deadline can end a statement.
 */
describe("queryTimeout on the connection's one re-armed timer", () => {
  const open = (queryTimeout: number) =>
    connect(mysql({ url: mysqlUrl, max: 1, statementTimeout: 0, queryTimeout }), { models: [] });
  const connectionId = async (db: Awaited<ReturnType<typeof open>>) =>
    (await db.sql`SELECT CONNECTION_ID() AS id`)[0]?.id;

  test("a statement started after earlier ones is bounded from its own start, not from theirs", async () => {
    const db = await open(1000);
    try {
      const id = await connectionId(db);
      // the first statement armed the timer for 1000 ms after it; this one starts 700 ms later and
      // runs 600 ms: it outlives the first statement's deadline and must still complete
      await sleep(700);
      expect(await db.sql`SELECT SLEEP(0.6) AS slept`).toEqual([{ slept: 0 }]);
      expect(await connectionId(db)).toBe(id);
    } finally {
      await db.close();
    }
  });

  test("an idle connection past queryTimeout is kept: the timer firing with no statement in flight does nothing", async () => {
    const db = await open(300);
    try {
      const id = await connectionId(db);
      await sleep(700);
      expect(await connectionId(db)).toBe(id);
    } finally {
      await db.close();
    }
  });

  test("the statement in flight past queryTimeout fails with a ConnectionError naming it; the next call gets a new connection", async () => {
    const db = await open(400);
    try {
      const id = await connectionId(db);
      for (let i = 0; i < 5; i++) await db.sql`SELECT ${i} AS n`;
      const err = await db.sql`SELECT SLEEP(3) AS slept`.then(
        () => new Error("the statement was not ended"),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toMatch(
        /MySQL did not answer within queryTimeout \(400 ms\); the connection was closed/,
      );
      const next = await connectionId(db);
      expect(next).not.toBe(id);
      // and the new connection is watched too
      const again = await db.sql`SELECT SLEEP(3) AS slept`.catch((e: unknown) => e);
      expect(again).toBeInstanceOf(ConnectionError);
      expect(await connectionId(db)).not.toBe(next);
    } finally {
      await db.close();
    }
  });
});
