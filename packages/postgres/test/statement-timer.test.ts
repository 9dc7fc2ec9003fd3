import { ConnectionError } from "@dotorm/core";
import { afterAll, describe, expect, test } from "vitest";
import { PgDriver } from "../src/pg-driver.js";
import { pgUrl } from "./targets.js";

/**
 * The driver's own queryTimeout runs on one timer per connection, re-armed by each statement
 * (src/statement-timer.ts): each statement still gets the whole limit from its own start, a timer
 * that fires between statements harms nothing, and a statement past the limit still ends with a
 * ConnectionError and a closed connection.
 */
const drivers: PgDriver[] = [];
const driver = () => {
  const d = new PgDriver({ url: pgUrl, max: 1, queryTimeout: 400, statementTimeout: 0 });
  drivers.push(d);
  return d;
};
afterAll(() => Promise.all(drivers.map((d) => d.close())));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const backend = async (d: PgDriver) =>
  (await d.execute({ sql: "select pg_backend_pid() as pid", params: [] })).rows[0]?.pid;

describe("the driver's own statement time limit", () => {
  test("each statement of a connection gets the whole limit from its own start", async () => {
    const d = driver();
    const conn = await d.acquire();
    try {
      // together longer than the limit, each well within it
      for (let i = 0; i < 3; i++)
        expect((await conn.execute({ sql: "select pg_sleep($1) is null as ok", params: [0.25] })).rows).toEqual([
          { ok: false },
        ]);
    } finally {
      conn.release();
    }
  });

  test("the timer firing while the connection is idle keeps it; a statement past the limit still ends it", async () => {
    const d = driver();
    const pid = await backend(d);
    await sleep(600); // the connection's timer fires with no statement running
    expect(await backend(d)).toBe(pid);
    const err = await d
      .execute({ sql: "select pg_sleep($1)", params: [5] })
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/queryTimeout \(400 ms\)/);
    // the connection was closed: the next statement runs on a new one
    expect(await backend(d)).not.toBe(pid);
  });
});
