import { ConnectionError, type Database, IntegrityError, connect, f, model } from "@dotorm/core";
import { FaultProxy } from "@dotorm/testkit";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { postgres } from "../src/index.js";
import type { PgDriver } from "../src/pg-driver.js";
import { pgServer, pgUrl } from "./targets.js";

/**
 * A transaction's BEGIN goes with its first statement, in one round trip; a transaction with no
 * statement sends nothing; a connection found broken before or at that first statement is replaced.
 */
const namespace = "transaction_begin";
const Note = model("tb_notes", { body: f.char({ maxLength: 40, required: true }) });
let db: Database;
let proxy: FaultProxy;

/** What reaches the server's connections: a row count seen from outside any transaction. */
async function committed(): Promise<number> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`select count(*)::int as n from "${namespace}".tb_notes`);
    return rows[0].n as number;
  } finally {
    await client.end();
  }
}

/** The statements pg is given on the pool's one connection while `body` runs (their SQL; a spy that calls through). */
async function submitted(body: () => Promise<unknown>): Promise<string[]> {
  const client = await (db.adapter.driver as PgDriver).pool.connect();
  client.release();
  const spy = vi.spyOn(client as unknown as { query(q: unknown): unknown }, "query");
  try {
    await body();
    return spy.mock.calls.map(([q]) => (typeof q === "string" ? q : (q as { text: string }).text));
  } finally {
    spy.mockRestore();
  }
}

describe.runIf(await pgServer.available())("a transaction's BEGIN on the PostgreSQL server", () => {
  beforeAll(async () => {
    await pgServer.open(namespace);
    proxy = await FaultProxy.start(pgServer.address as { host: string; port: number });
    const url = new URL(pgUrl);
    url.port = String(proxy.port);
    // one connection, through a proxy that can reset it
    db = await connect(postgres({ url: url.toString(), schema: namespace, max: 1 }), { models: [Note] });
    await db.sync();
    await Note.create({ body: "warm" }); // the INSERT's shape is prepared on the connection
    await db.sql`delete from tb_notes where id > ${0}`;
  });
  afterEach(async () => {
    proxy.pass();
    await db.sql`delete from tb_notes where id > ${0}`;
  });
  afterAll(async () => {
    await db?.close();
    await proxy?.close();
    await pgServer.drop?.(namespace);
  });

  test("BEGIN goes with the first statement: two submissions for BEGIN, INSERT, COMMIT; nothing visible before COMMIT", async () => {
    let before = -1;
    const sent = await submitted(() =>
      db.transaction(async () => {
        await Note.create({ body: "one" });
        before = await committed();
      }),
    );
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(/^INSERT INTO "tb_notes"/);
    expect(sent[1]).toBe("COMMIT");
    expect(before).toBe(0);
    expect(await committed()).toBe(1);
  });

  test("a transaction that runs no statement sends nothing", async () => {
    expect(await submitted(() => db.transaction(async () => 42))).toEqual([]);
  });

  test("a statement not prepared yet goes after its own BEGIN, and the transaction still commits", async () => {
    const sent = await submitted(() => db.transaction(() => db.sql`insert into tb_notes (body) values (${"raw"})`));
    expect(sent).toEqual(["BEGIN", "insert into tb_notes (body) values ($1)", "COMMIT"]);
    expect(await committed()).toBe(1);
  });

  test("the first statement fails on the server: the transaction rolls back, and the connection serves the next one", async () => {
    const [{ id }] = (await db.sql`insert into tb_notes (body) values (${"keep"}) returning id`) as [{ id: number }];
    const dup = () => db.sql`insert into tb_notes (id, body) values (${id}, ${"dup"})`;
    await expect(dup()).rejects.toBeInstanceOf(IntegrityError); // its shape is now prepared
    let err: unknown;
    const sent = await submitted(() =>
      db
        .transaction(() => dup())
        .catch((e: unknown) => {
          err = e;
        }),
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect(sent).toEqual(["insert into tb_notes (id, body) values ($1, $2)", "ROLLBACK"]);
    await db.transaction(async () => {
      await Note.create({ body: "after" });
    });
    expect(await committed()).toBe(2);
  });

  test("a connection reset at the first statement (closed while it sat in the pool): the transaction runs on a fresh one", async () => {
    proxy.resetOnNextWrite();
    await db.transaction(async () => {
      await Note.create({ body: "survived" });
      await Note.create({ body: "both" });
    });
    expect(await committed()).toBe(2);
  });

  test("a connection reset at the first statement while no new one can be had: the transaction fails with a ConnectionError, nothing is written", async () => {
    proxy.resetOnNextWrite(true);
    const err = await db
      .transaction(async () => {
        await Note.create({ body: "lost" });
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    proxy.pass();
    expect(await committed()).toBe(0);
    // the pool serves the next transaction once the server is back
    await db.transaction(async () => {
      await Note.create({ body: "back" });
    });
    expect(await committed()).toBe(1);
  });

  test("a connection the server ended before the first statement: the transaction runs on a fresh one", async () => {
    const [{ pid }] = (await db.sql`select pg_backend_pid() as pid`) as [{ pid: number }];
    await db.transaction(async () => {
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query("select pg_terminate_backend($1)", [pid]);
      await admin.end();
      // until pg has read the server's goodbye on the transaction's connection
      await new Promise((resolve) => setTimeout(resolve, 200));
      await Note.create({ body: "fresh" });
    });
    expect(await committed()).toBe(1);
    const [{ pid: now }] = (await db.sql`select pg_backend_pid() as pid`) as [{ pid: number }];
    expect(now).not.toBe(pid);
  });

  test("a first statement with a value pg cannot send fails once: the connection was not lost, nothing is retried", async () => {
    let asked = 0;
    const bad = {
      toPostgres() {
        asked++;
        throw new Error("no text form");
      },
    };
    const err = await db
      .transaction(() => db.sql`insert into tb_notes (body) values (${bad})`)
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/no text form/);
    expect(asked).toBe(1);
    expect(await committed()).toBe(0);
  });

  test("a reset at a later statement is not retried: the transaction fails and nothing of it stays", async () => {
    const err = await db
      .transaction(async () => {
        await Note.create({ body: "first" });
        proxy.resetOnNextWrite();
        await Note.create({ body: "second" });
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(IntegrityError);
    expect(await committed()).toBe(0);
  });
});
