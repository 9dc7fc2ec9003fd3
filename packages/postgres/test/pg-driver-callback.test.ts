import { ConfigurationError } from "@dotorm/core";
import { afterAll, describe, expect, test } from "vitest";
import { PgDriver } from "../src/pg-driver.js";
import { pgUrl } from "./targets.js";

/**
 * The pg driver sends statements through pg's callback API (cheaper per call than its promise API):
 * what pg's promise API gave must still hold: results, multi-statement results, type parsers,
 * prepared names, and errors with a stack that leads back to the caller.
 */
const drivers: PgDriver[] = [];
const driver = (prepare = true) => {
  const d = new PgDriver({ url: pgUrl, max: 1, preparedStatements: prepare });
  drivers.push(d);
  return d;
};
afterAll(() => Promise.all(drivers.map((d) => d.close())));

/** The names of the statements the driver's connection has prepared, as the server sees them. */
async function preparedOn(d: PgDriver): Promise<string[]> {
  const { rows } = await d.execute({ sql: "select statement from pg_prepared_statements order by name", params: [] });
  return rows.map((r) => String(r.statement));
}

describe("the pg driver's statements", () => {
  test("rows, affected counts and the driver's type parsers (int8 and numeric stay strings, dates as text)", async () => {
    const d = driver();
    const r = await d.execute({
      sql: "select $1::int8 as big, $2::numeric as dec, $3::date as day, $4::int as n, $5::text as t",
      params: ["9007199254740993", "1.50", "2026-12-01", 7, null],
    });
    expect(r.rows).toEqual([{ big: "9007199254740993", dec: "1.50", day: "2026-12-01", n: 7, t: null }]);
    await d.execute({ sql: "create temp table cb_t (v int)", params: [] });
    const ins = await d.execute({ sql: "insert into cb_t select generate_series(1, $1::int)", params: [3] });
    expect(ins.affected).toBe(3);
  });

  test("a statement with values is prepared under a name; without values, or with prepare off, it is not", async () => {
    const d = driver();
    await d.execute({ sql: "select $1::int + 40 as v", params: [2] });
    await d.execute({ sql: "select 1 + 1 as w", params: [] });
    const held = await preparedOn(d);
    expect(held.some((s) => s.includes("$1::int + 40"))).toBe(true);
    expect(held.some((s) => s.includes("1 + 1 as w"))).toBe(false);
    const off = driver(false);
    expect((await off.execute({ sql: "select $1::int * 3 as v", params: [5] })).rows).toEqual([{ v: 15 }]);
    expect(await preparedOn(off)).toEqual([]);
  });

  test("the same prepared statement answers each call with its own values", async () => {
    const d = driver();
    const answers = await Promise.all(
      [1, 2, 3, 4].map((n) => d.execute({ sql: "select $1::int * 10 as v", params: [n] })),
    );
    expect(answers.map((r) => r.rows[0]!.v)).toEqual([10, 20, 30, 40]);
  });

  test("a server error is pg's DatabaseError with a stack through the driver, and the connection stays usable", async () => {
    const d = driver();
    async function callerFrame() {
      return await d.execute({ sql: "select * from no_such_table_cb where id = $1", params: [1] });
    }
    const err = (await callerFrame().catch((e: unknown) => e)) as Error & { code?: string };
    expect(err.constructor.name).toBe("DatabaseError");
    expect(err.code).toBe("42P01");
    // the stack leads back through the driver to the caller, not only to the socket's read
    expect(err.stack).toMatch(/callerFrame/);
    // mapped as before (a missing table: the schema is not what the models say), the original kept
    const mapped = d.mapError(err);
    expect(mapped).toBeInstanceOf(ConfigurationError);
    expect(mapped.cause).toBe(err);
    expect((await d.execute({ sql: "select $1::int as ok", params: [1] })).rows).toEqual([{ ok: 1 }]);
  });

  test("a transaction's connection answers through executeWith's callback: results, errors (the connection stays usable), prepared names", async () => {
    const d = driver();
    const conn = await d.acquire();
    const call = (sql: string, params: unknown[]) =>
      new Promise<{ error: unknown; result?: { rows: readonly Record<string, unknown>[] } }>((resolve) => {
        conn.executeWith?.({ sql, params }, undefined, (error, result) => resolve({ error, result }));
      });
    try {
      expect(typeof conn.executeWith).toBe("function");
      const ok = await call("select $1::int * 2 as v", [21]);
      expect(ok.error).toBeNull();
      expect(ok.result?.rows).toEqual([{ v: 42 }]);
      const bad = await call("select * from no_such_table_cb2 where id = $1", [1]);
      expect((bad.error as { code?: string }).code).toBe("42P01");
      expect((await call("select $1::int * 2 as v", [4])).result?.rows).toEqual([{ v: 8 }]);
      const names = await conn.execute({ sql: "select statement from pg_prepared_statements", params: [] });
      expect(names.rows.some((r) => String(r.statement).includes("$1::int * 2"))).toBe(true);
    } finally {
      conn.release();
    }
  });
});
