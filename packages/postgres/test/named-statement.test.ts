import { type CompiledQuery, type Database, TransactionConflict, connect } from "@dotorm/core";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { postgres } from "../src/index.js";
import { rowReader } from "../src/named-statement.js";
import type { PgDriver } from "../src/pg-driver.js";
import { PreparedStatements } from "../src/prepared-statements.js";
import { pgServer, pgUrl } from "./targets.js";

/**
 * Prepared statements go as DotORM's own pg submittable: the server describes a statement's rows
 * once per connection, later calls send Bind / Execute / Sync and read the rows with the kept reader.
 */
const namespace = "named_statements";
let db: Database;
let driver: PgDriver;

const run = (sql: string, params: unknown[], kind: CompiledQuery["kind"] = "select") =>
  driver.execute({ sql, params, kind });

/** Counts the Describe messages pg writes on the pool's one connection while `body` runs (a spy that calls through). */
async function describes(body: () => Promise<void>): Promise<number> {
  const client = await driver.pool.connect();
  client.release();
  const spy = vi.spyOn((client as unknown as { connection: { describe(m: unknown): void } }).connection, "describe");
  try {
    await body();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describe.runIf(await pgServer.available())("named statements on the PostgreSQL server", () => {
  beforeAll(async () => {
    await pgServer.open(namespace);
    // one connection: every call below runs on it
    db = await connect(postgres({ url: pgUrl, schema: namespace, max: 1 }), { models: [] });
    driver = db.adapter.driver as PgDriver;
    await db.sql`create table ns_items (id serial primary key, n int, label text)`;
    await db.sql`insert into ns_items (n, label) values (1, 'a'), (2, 'b'), (3, null)`;
  });
  afterAll(async () => {
    await db?.close();
    await pgServer.drop?.(namespace);
  });

  test("a statement is described on its first call only; every call reads the same rows", async () => {
    const sql = "select id, n, label from ns_items where n >= $1 order by id";
    const results: unknown[] = [];
    const count = await describes(async () => {
      for (let i = 0; i < 4; i++) results.push((await run(sql, [2])).rows);
    });
    expect(count).toBe(1);
    expect(results[0]).toEqual([
      { id: 2, n: 2, label: "b" },
      { id: 3, n: 3, label: null },
    ]);
    for (const r of results) expect(r).toEqual(results[0]);
  });

  test("the kept reader parses every type as the first, described call does", async () => {
    const sql = `select $1::int as i, $2::bigint as big, $3::numeric as num, $4::boolean as b, $5::jsonb as j,
      $6::date as d, $7::timestamptz as ts, $8::bytea as bin, $9::text as t, $10::int[] as arr, $11::float8 as fl`;
    const values = [
      7,
      "9007199254740993",
      "12.50",
      true,
      JSON.stringify({ a: [1, "x"] }),
      "2024-02-29",
      new Date("2024-05-06T07:08:09.123Z"),
      Buffer.from([0, 1, 255]),
      "ünï'code",
      [1, null, 3],
      1.5,
    ];
    const expected = {
      i: 7,
      big: "9007199254740993",
      num: "12.50",
      b: true,
      j: { a: [1, "x"] },
      d: "2024-02-29",
      ts: new Date("2024-05-06T07:08:09.123Z"),
      bin: Buffer.from([0, 1, 255]),
      t: "ünï'code",
      arr: [1, null, 3],
      fl: 1.5,
    };
    const first = (await run(sql, values)).rows;
    const second = (await run(sql, values)).rows;
    expect(first).toEqual([expected]);
    expect(second).toEqual([expected]);
    const nulls = (
      await run(
        sql,
        values.map(() => null),
      )
    ).rows;
    expect(nulls).toEqual([Object.fromEntries(Object.keys(expected).map((k) => [k, null]))]);
  });

  test("a statement without rows is described once too and still reports the rows it changed", async () => {
    const sql = "update ns_items set label = label where n <= $1";
    const affected: number[] = [];
    const count = await describes(async () => {
      for (const n of [1, 2, 3]) affected.push((await run(sql, [n], "update")).affected);
    });
    expect(count).toBe(1);
    expect(affected).toEqual([1, 2, 3]);
  });

  test("a column's type changed by a migration: the next call prepares the statement again and reads the new type", async () => {
    const sql = "select id, n from ns_items where id = $1";
    expect((await run(sql, [1])).rows).toEqual([{ id: 1, n: 1 }]);
    await db.sql`alter table ns_items alter column n type text`;
    // PostgreSQL refuses the old statement (its result type changed); the call is sent again, prepared afresh
    expect((await run(sql, [1])).rows).toEqual([{ id: 1, n: "1" }]);
    expect((await run(sql, [1])).rows).toEqual([{ id: 1, n: "1" }]);
    await db.sql`alter table ns_items alter column n type int using n::int`;
  });

  test("in a transaction the changed statement fails with a TransactionConflict, and the next transaction reads the new type", async () => {
    const read = () => db.sql`select id, label from ns_items where id = ${2}`;
    expect(await read()).toEqual([{ id: 2, label: "b" }]);
    await db.sql`alter table ns_items alter column label type varchar(10)`;
    const err = await db.transaction(() => read()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransactionConflict);
    expect((err as Error).message).toMatch(/columns changed.*run the call \(or its transaction\) again/);
    expect(await db.transaction(() => read())).toEqual([{ id: 2, label: "b" }]);
  });

  test("rows that do not match the kept reader (a server that parsed the statement afresh) fail the call, and the next call describes it again", async () => {
    const sql = "select id, n from ns_items where id = $1";
    expect((await run(sql, [3])).rows).toEqual([{ id: 3, n: 3 }]);
    // what a pooler's other server connection would answer after a migration: a reader of another width
    const client = await driver.pool.connect();
    client.release();
    const statements = PreparedStatements.of(client, 2000);
    statements.describe(statements.name(sql), rowReader([{ name: "id", dataTypeID: 23 }]));
    await expect(run(sql, [3])).rejects.toThrow(/do not match the columns it described/);
    expect((await run(sql, [3])).rows).toEqual([{ id: 3, n: 3 }]);
  });

  test("a value pg cannot send fails its call before anything is written; the connection answers the next", async () => {
    const bad = {
      toPostgres() {
        throw new Error("no text form");
      },
    };
    await expect(run("select $1::text as v", [bad])).rejects.toThrow(/no text form/);
    expect((await run("select $1::text as v", ["ok"])).rows).toEqual([{ v: "ok" }]);
    const client = await driver.pool.connect();
    try {
      // the failed call parsed nothing: the one statement of that text was prepared by the second call
      const { rows } = await (client as pg.PoolClient).query(
        "select count(*)::int as n from pg_prepared_statements where statement like 'select $1::text as v%'",
      );
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      client.release();
    }
  });
});
