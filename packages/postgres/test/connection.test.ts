import { mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigurationError, ConnectionError, connect, f, model } from "@dotorm/core";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { postgres } from "../src/index.js";
import { pgUrl } from "./targets.js";

const Note = model("conn_notes", { body: f.text({ required: true }) });

const withDatabase = (name: string) => {
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return url.toString();
};
const withUser = (user: string) => {
  const url = new URL(pgUrl);
  url.username = user;
  return url.toString();
};

/** The rejection of `connect`, and how long it took. */
async function failedConnect(adapter: ReturnType<typeof postgres>): Promise<{ err: Error; ms: number }> {
  const started = performance.now();
  const err = await connect(adapter, { models: [Note] }).then(
    () => new Error("connect resolved"),
    (e: Error) => e,
  );
  return { err, ms: performance.now() - started };
}

describe("connect checks the connection (verify, on by default) and says what to fix", () => {
  test("nothing listens on the port: ConnectionError at connect, naming the address and the port to check", async () => {
    const { err } = await failedConnect(
      postgres({ url: "postgres://postgres@127.0.0.1:1/test", acquireTimeout: 2000 }),
    );
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(
      /127\.0\.0\.1:1: the connection was refused; is the server running there\? Check the host and port/,
    );
    expect((err as ConnectionError).cause).toMatchObject({ code: "ECONNREFUSED" });
  });

  test("the database does not exist: ConnectionError saying to create it or fix the name", async () => {
    // the same server and login reach an existing database: only the database name is wrong
    const reachable = await connect(postgres({ url: pgUrl }), { models: [Note] });
    await reachable.close();
    const { err } = await failedConnect(postgres({ url: withDatabase("dotorm_no_such_database_edges") }));
    expect((err as ConnectionError).cause).toMatchObject({ code: "3D000" });
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(
      /database "dotorm_no_such_database_edges" does not exist.*create it \(CREATE DATABASE\) or fix the database name/,
    );
  });

  test("the login is refused: ConnectionError saying to check user and password", async () => {
    const { err } = await failedConnect(postgres({ url: withUser("dotorm_no_such_role_edges") }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(
      /PostgreSQL refused the login \(.*dotorm_no_such_role_edges.*\): check the user and password/,
    );
  });

  test("a server that accepts but never answers: connect fails within acquireTimeout", async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      const { err, ms } = await failedConnect(
        postgres({ url: `postgres://postgres@127.0.0.1:${port}/test`, acquireTimeout: 500 }),
      );
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.message).toMatch(/acquireTimeout \(500 ms\)/);
      expect(ms).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });

  test("the happy path: connect resolves on a server that answers", async () => {
    const db = await connect(postgres({ url: pgUrl }), { models: [Note] });
    expect(await db.sql`select ${41}::int + 1 as n`).toEqual([{ n: 42 }]);
    await db.close();
  });

  test("verify: false connects lazily; the first query fails instead", async () => {
    const db = await connect(postgres({ url: "postgres://postgres@127.0.0.1:1/test", acquireTimeout: 2000 }), {
      models: [Note],
      verify: false,
    });
    const err = await Note.count().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).cause).toBeDefined();
    await expect(db.verify()).rejects.toBeInstanceOf(ConnectionError);
    await db.close();
  });

  test("a second connect of a model bound to an open database is refused, naming db.model; the model stays where it was", async () => {
    const db = await connect(postgres({ pglite: true }), { models: [Note] });
    try {
      await db.sync();
      await Note.create({ body: "still here" });
      const { err } = await failedConnect(
        postgres({ url: "postgres://postgres@127.0.0.1:1/test", acquireTimeout: 2000 }),
      );
      expect(err).toBeInstanceOf(ConfigurationError);
      expect(err.message).toMatch(
        /already connected to another open database: close that one first .*\{ bind: false \} and use db\.model\(/,
      );
      expect(await Note.count()).toBe(1);
    } finally {
      await db.close();
    }
  });

  test("connect's own options are checked too", async () => {
    const adapter = postgres({ pglite: true });
    await expect(connect(adapter, { models: [Note], verify: "yes" as never })).rejects.toThrow(
      /^connect\(\{ verify \}\): must be true or false, got "yes"/,
    );
    await expect(connect(adapter, { model: [Note] } as never)).rejects.toThrow(
      /^connect\(\{ model \}\): unknown option; did you mean models\?/,
    );
    await expect(connect(adapter, { models: Note } as never)).rejects.toThrow(
      /^connect\(\{ models \}\): must be a list of model classes/,
    );
    await expect(connect(adapter, {} as never)).rejects.toThrow(/^connect\(\) needs the models it serves/);
    await expect(connect(adapter, { models: [Note], access: () => true } as never)).rejects.toThrow(
      /^connect\(\{ access \}\): must be an AccessChecker/,
    );
    await adapter.driver.close();
  });
});

describe("postgres() checks its options at construction", () => {
  test.each([
    [{ url: "not a url" }, /^postgres\(\{ url \}\): "not a url" is not a URL; expected a URL like postgres:\/\//],
    [
      { url: "mysql://root@localhost/x" },
      /^postgres\(\{ url \}\): .* has the scheme "mysql:", expected postgres:\/\/ or postgresql:\/\//,
    ],
    [{ url: 5432 }, /^postgres\(\{ url \}\): must be a string/],
    [{ url: "postgres://h:99999/db" }, /^postgres\(\{ url \}\): .*not a URL|port/],
    [{ max: 0 }, /^postgres\(\{ max \}\): must be a whole number from 1 to 10000, got 0/],
    [{ max: "10" }, /^postgres\(\{ max \}\): must be a whole number .* got "10"/],
    [
      { statementTimeout: -1 },
      /^postgres\(\{ statementTimeout \}\): must be a whole number of milliseconds \(0 for no limit\)/,
    ],
    [{ acquireTimeout: 1.5 }, /^postgres\(\{ acquireTimeout \}\)/],
    [{ keepAlive: "yes" }, /^postgres\(\{ keepAlive \}\): must be true or false/],
    [{ schema: "public; drop table x" }, /^postgres\(\{ schema \}\): must be a plain identifier/],
    [{ maxPreparedStatements: 0 }, /^postgres\(\{ maxPreparedStatements \}\)/],
    [{ maxx: 5 }, /^postgres\(\{ maxx \}\): unknown option; did you mean max\?/],
    [{ acquireTimeOut: 5 }, /did you mean acquireTimeout\?/],
    [
      { connectionString: "postgres://x" },
      /^postgres\(\{ connectionString \}\): unknown option \(postgres\(\) takes url, max/,
    ],
    [{ pglite: true, url: "postgres://localhost/x" }, /give either url \(a server\) or pglite \(embedded\), not both/],
    [
      { pglite: true, max: 4, schema: "s" },
      /^postgres\(\{ max, schema \}\) apply to a server \(url\), not to embedded PGlite/,
    ],
    [{ pglite: "" }, /^postgres\(\{ pglite \}\): must be true \(in memory\) or a directory/],
    [JSON.parse('{"__proto__": {"max": 1}}'), /^postgres\(\{ __proto__ \}\): unknown option/],
  ])("%j", (options, message) => {
    const err = (() => {
      try {
        postgres(options as never);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toMatch(message);
  });

  test("options that are not an object", () => {
    expect(() => postgres("postgres://localhost/x" as never)).toThrow(
      /^postgres\(\) takes an options object, got "postgres:/,
    );
  });

  test("valid options pass, undefined ones count as absent", async () => {
    const adapter = postgres({
      url: pgUrl,
      max: 2,
      statementTimeout: 0,
      keepAlive: false,
      schema: "public",
      prepare: true,
      maxPreparedStatements: 10,
      pglite: undefined,
    });
    await adapter.driver.close();
    const socket = postgres({ url: "socket:/var/run/postgresql?db=test" });
    await socket.driver.close();
  });
});

describe("PGlite in a directory keeps its data across connections", () => {
  const dir = mkdtempSync(join(tmpdir(), "dotorm-pglite-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("write, close, reopen, read", async () => {
    let db = await connect(postgres({ pglite: dir }), { models: [Note] });
    await db.sync();
    const id = await Note.create({ body: "kept on disk" });
    await db.close();
    db = await connect(postgres({ pglite: dir }), { models: [Note] });
    expect(await db.sync()).toEqual([]);
    expect((await Note.get(id)).body).toBe("kept on disk");
    await db.close();
  });

  test("a directory PGlite cannot open: connect fails (verify) instead of the first query", async () => {
    const file = join(dir, "not-a-directory");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, "x");
    const err = await connect(postgres({ pglite: file }), { models: [Note] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toMatch(
      /^postgres\(\{ pglite \}\): PGlite could not open ".*not-a-directory": ErrnoError \(errno \d+\); give a directory it can create or write/,
    );
  });
});

describe("a session the server ends", () => {
  test("a connection terminated by an administrator is not handed out again: the next call succeeds", async () => {
    const Dropped = model("conn_dropped_notes", { body: f.text({ required: true }) });
    const db = await connect(postgres({ url: pgUrl, max: 1 }), { models: [Dropped] });
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    try {
      await db.sync();
      await Dropped.create({ body: "kept" });
      const slow = db.sql`select pg_sleep(5) as dropped_by_test`.then(
        () => undefined,
        (e: unknown) => e,
      );
      // wait until the statement runs, then end its session from another connection
      for (let i = 0; i < 100; i++) {
        const r = await admin.query(
          "select pg_terminate_backend(pid) as t from pg_stat_activity where query like '%dropped_by_test%' and pid <> pg_backend_pid()",
        );
        if (r.rowCount) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await slow).toBeInstanceOf(ConnectionError);
      // the pool's only connection was the terminated one: the next call must get a fresh one
      expect(await Dropped.count()).toBe(1);
    } finally {
      await db.sql`drop table if exists conn_dropped_notes`.catch(() => undefined);
      await admin.end();
      await db.close();
    }
  });
});
