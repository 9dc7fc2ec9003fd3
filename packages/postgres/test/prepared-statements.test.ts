import { type Database, connect } from "@dotorm/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { PgDriver } from "../src/pg-driver.js";
import { postgres } from "../src/index.js";
import { pgUrl } from "./targets.js";

/**
 * The prepared-statement cache of the pg driver on the PostgreSQL server: per connection, at most
 * `maxPreparedStatements` statements, the least recently used deallocated on the server.
 */
const cap = 5;
let db: Database;

/** A statement shape of its own for each `i` (the alias differs), with one bound value. */
const shape = (i: number, value: number) => db.sql`select ${value}::int * 2 as ${db.sql.id(`v${i}`)}`;

/** The connection's prepared statements, as the server sees them (one connection: max 1). */
const prepared = async () =>
  (await db.sql`select name, statement from pg_prepared_statements order by name`) as {
    name: string;
    statement: string;
  }[];

beforeAll(async () => {
  db = await connect(postgres({ url: pgUrl, max: 1, maxPreparedStatements: cap }), { models: [] });
});
afterAll(() => db?.close());

describe(`prepared statements are an LRU of ${cap} per connection, evicted ones deallocated`, () => {
  test("more distinct shapes than the cap all run, and the server keeps at most the cap", async () => {
    for (let i = 0; i < 3 * cap; i++) expect(await shape(i, i)).toEqual([{ [`v${i}`]: 2 * i }]);
    const held = await prepared();
    expect(held).toHaveLength(cap);
    // the most recent shapes are the ones kept
    for (let i = 2 * cap; i < 3 * cap; i++) expect(held.some((s) => s.statement.includes(`"v${i}"`))).toBe(true);
    expect(held.some((s) => s.statement.includes(`"v0"`))).toBe(false);
  });

  test("an evicted shape used again is prepared again and answers right; the server stays at the cap", async () => {
    const before = new Set((await prepared()).map((s) => s.name));
    expect(await shape(0, 21)).toEqual([{ v0: 42 }]);
    const after = await prepared();
    expect(after).toHaveLength(cap);
    const v0 = after.find((s) => s.statement.includes(`"v0"`));
    expect(v0).toBeDefined();
    // under a new name: the old one was deallocated, never reused for another text
    expect(before.has(v0!.name)).toBe(false);
    // and it is now prepared: a second call reuses it without preparing anything more
    expect(await shape(0, 5)).toEqual([{ v0: 10 }]);
    expect((await prepared()).map((s) => s.name)).toEqual(after.map((s) => s.name));
  });

  test("a recently used shape stays prepared (least recently used is evicted, not oldest)", async () => {
    const kept = (await prepared()).find((s) => s.statement.includes(`"v0"`))!.name;
    for (let i = 100; i < 100 + cap - 1; i++) {
      await shape(0, i); // keep v0 the most recent
      await shape(i, i);
    }
    expect((await prepared()).map((s) => s.name)).toContain(kept);
  });

  test("pg's own client-side record of parsed statements stays bounded too", async () => {
    for (let i = 200; i < 200 + 4 * cap; i++) await shape(i, i);
    const pool = (db.adapter.driver as PgDriver).pool;
    const client = await pool.connect();
    try {
      const parsed = Object.keys(
        (client as unknown as { connection: { parsedStatements: object } }).connection.parsedStatements,
      );
      expect(parsed.length).toBeLessThanOrEqual(cap);
    } finally {
      client.release();
    }
  });

  test("an aborted transaction delays the deallocation to the next statement, and the transaction still rolls back cleanly", async () => {
    const err = await db
      .transaction(async () => {
        await db.sql`select 1/0 as boom`.catch(() => undefined); // aborts the transaction
        await shape(900, 1); // evicts one: its DEALLOCATE cannot run in an aborted transaction
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(await shape(901, 3)).toEqual([{ v901: 6 }]);
    expect((await prepared()).length).toBeLessThanOrEqual(cap);
  });
});

test("prepare: false prepares nothing", async () => {
  const plain = await connect(postgres({ url: pgUrl, max: 1, prepare: false }), { models: [] });
  try {
    await plain.sql`select ${1}::int as a`;
    expect(await plain.sql`select count(*)::int as n from pg_prepared_statements`).toEqual([{ n: 0 }]);
  } finally {
    await plain.close();
  }
});
