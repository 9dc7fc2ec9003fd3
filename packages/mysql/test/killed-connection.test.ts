import { ConnectionError, connect, f, model } from "@dotorm/core";
import mysql2 from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mysql } from "../src/index.js";
import { dropDatabase, freshDatabase, mysqlUrl, urlFor } from "./targets.js";

const Killed = model("killed_notes", { body: f.text({ required: true }) });
const database = "dotorm_killed_connection";

/** Runs `statement` through `run`, ends its server session with `kill` from another connection once it runs, and returns the call's error. */
async function killMidStatement(run: () => Promise<unknown>, kill: "KILL" | "KILL QUERY"): Promise<unknown> {
  const admin = await mysql2.createConnection({ uri: mysqlUrl });
  try {
    const failed = run().then(
      () => new Error("the statement was not interrupted"),
      (e: unknown) => e,
    );
    for (let i = 0; i < 200; i++) {
      const [rows] = await admin.query(
        "SELECT id FROM information_schema.processlist WHERE info LIKE '%killed_by_test%' AND id <> CONNECTION_ID()",
      );
      const id = (rows as { id: number }[])[0]?.id;
      if (id !== undefined) {
        await admin.query(`${kill} ${Number(id)}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return await failed;
  } finally {
    await admin.end();
  }
}

describe("a session the server ends mid-statement (KILL from another connection)", () => {
  beforeAll(() => freshDatabase(database));
  afterAll(() => dropDatabase(database));

  test("KILL <id>: the call fails with a ConnectionError and the next call gets a working connection", async () => {
    const db = await connect(mysql({ url: urlFor(database), max: 1 }), { models: [Killed] });
    try {
      await db.sync();
      await Killed.create({ body: "kept" });
      const err = await killMidStatement(() => db.sql`SELECT SLEEP(5) AS killed_by_test`, "KILL");
      expect(err).toBeInstanceOf(ConnectionError);
      // the pool's only connection was the killed one: the next calls must get a fresh one
      for (let i = 0; i < 3; i++) expect(await Killed.count()).toBe(1);
    } finally {
      await db.close();
    }
  });

  test("KILL <id> inside a transaction: ConnectionError, nothing of it kept, the next call works", async () => {
    const db = await connect(mysql({ url: urlFor(database), max: 1 }), { models: [Killed] });
    try {
      await db.sync();
      const before = await Killed.count();
      const err = await killMidStatement(
        () =>
          db.transaction(async () => {
            await Killed.create({ body: "rolled back" });
            await db.sql`SELECT SLEEP(5) AS killed_by_test`;
          }),
        "KILL",
      );
      expect(err).toBeInstanceOf(ConnectionError);
      for (let i = 0; i < 3; i++) expect(await Killed.count()).toBe(before);
    } finally {
      await db.close();
    }
  });

  test("KILL of the pool's idle connection: the next transaction begins on a fresh one (its BEGIN is tried again)", async () => {
    const db = await connect(mysql({ url: urlFor(database), max: 1 }), { models: [Killed] });
    const admin = await mysql2.createConnection({ uri: mysqlUrl });
    try {
      await db.sync();
      const before = await Killed.count();
      const idle = async () => {
        const [rows] = await admin.query(
          "SELECT id FROM information_schema.processlist WHERE db = ? AND command = 'Sleep' AND id <> CONNECTION_ID()",
          [database],
        );
        return (rows as { id: number }[]).map((r) => Number(r.id));
      };
      for (let round = 1; round <= 3; round++) {
        const killed = await idle();
        expect(killed).toHaveLength(1);
        for (const id of killed) await admin.query(`KILL ${id}`);
        // the server closed the connection while it sat in the pool; nothing of the transaction ran on it
        const count = await db.transaction(async () => {
          await Killed.create({ body: `after kill ${round}` });
          return Killed.count();
        });
        expect(count).toBe(before + round);
        expect(await idle()).not.toContain(killed[0]);
      }
    } finally {
      await admin.end();
      await db.close();
    }
  });

  test("KILL QUERY <id> ends the statement only: a typed error, and the same connection serves the next call", async () => {
    const db = await connect(mysql({ url: urlFor(database), max: 1 }), { models: [Killed] });
    try {
      await db.sync();
      const [before] = await db.sql`SELECT CONNECTION_ID() AS id`;
      const err = await killMidStatement(() => db.sql`SELECT SLEEP(5) AS killed_by_test`, "KILL QUERY");
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(ConnectionError);
      const [after] = await db.sql`SELECT CONNECTION_ID() AS id`;
      expect(after).toEqual(before);
    } finally {
      await db.close();
    }
  });
});
