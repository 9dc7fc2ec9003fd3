import { type Server, createServer } from "node:net";
import { ConfigurationError, ConnectionError, connect, f, model } from "@dotorm/core";
import { describe, expect, test } from "vitest";
import { mysql } from "../src/index.js";
import { mysqlUrl, urlFor } from "./targets.js";

const Note = model("conn_notes", { body: f.text({ required: true }) });

/** The rejection of `connect`, and how long it took. */
async function failedConnect(adapter: ReturnType<typeof mysql>): Promise<{ err: Error; ms: number }> {
  const started = performance.now();
  const err = await connect(adapter, { models: [Note] }).then(
    () => new Error("connect resolved"),
    (e: Error) => e,
  );
  return { err, ms: performance.now() - started };
}

describe("connect checks the connection (verify, on by default) and says what to fix", () => {
  test("nothing listens on the port: ConnectionError at connect, naming the address and the port to check", async () => {
    const { err } = await failedConnect(mysql({ url: "mysql://root@127.0.0.1:1/test" }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(
      /cannot reach MySQL at 127\.0\.0\.1:1: the connection was refused; is the server running there\? Check the host and port/,
    );
    expect((err as ConnectionError).cause).toBeDefined();
  });

  test("the database does not exist: ConnectionError saying to create it or fix the name", async () => {
    // the same server and login reach an existing database: only the database name is wrong
    const reachable = await connect(mysql({ url: mysqlUrl }), { models: [Note] });
    await reachable.close();
    const { err } = await failedConnect(mysql({ url: urlFor("dotorm_no_such_database_edges") }));
    expect((err as ConnectionError).cause).toMatchObject({ code: "ER_BAD_DB_ERROR" });
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(
      /does not exist \(.*dotorm_no_such_database_edges.*\): create it \(CREATE DATABASE\) or fix the database name/,
    );
  });

  test("a wrong password: ConnectionError saying to check user and password", async () => {
    const url = new URL(mysqlUrl);
    url.password = "dotorm-wrong-password";
    const { err } = await failedConnect(mysql({ url: url.toString() }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/MySQL refused the login \(Access denied for user .*\): check the user and password/);
  });

  test("a server that accepts but never answers: connect fails within acquireTimeout", async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      const { err, ms } = await failedConnect(
        mysql({ url: `mysql://root@127.0.0.1:${port}/test`, acquireTimeout: 500 }),
      );
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.message).toMatch(/acquireTimeout \(500 ms\)/);
      expect(ms).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });

  test("verify: false connects lazily; the first query fails instead", async () => {
    const db = await connect(mysql({ url: "mysql://root@127.0.0.1:1/test" }), { models: [Note], verify: false });
    const err = await Note.count().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).cause).toBeDefined();
    await db.close();
  });

  test("the happy path: connect resolves on a server that answers", async () => {
    const db = await connect(mysql({ url: mysqlUrl }), { models: [Note] });
    expect(await db.sql`select ${41} + 1 as n`).toEqual([{ n: 42 }]);
    await db.close();
  });
});

describe("mysql() checks its options at construction", () => {
  test.each([
    [{ url: "not a url" }, /^mysql\(\{ url \}\): "not a url" is not a URL; expected a URL like mysql:\/\//],
    [
      { url: "postgres://localhost/x" },
      /^mysql\(\{ url \}\): .* has the scheme "postgres:", expected mysql:\/\/ or mariadb:\/\//,
    ],
    [{ port: 0 }, /^mysql\(\{ port \}\): must be a whole number from 1 to 65535, got 0/],
    [{ port: "3306" }, /^mysql\(\{ port \}\): must be a whole number/],
    [{ host: "" }, /^mysql\(\{ host \}\): must be a non-empty string/],
    [{ max: 0 }, /^mysql\(\{ max \}\)/],
    [{ max: 2, maxIdle: 5 }, /^mysql\(\{ maxIdle \}\): 5 idle connections is more than max \(2\)/],
    [{ queryTimeout: -5 }, /^mysql\(\{ queryTimeout \}\): must be a whole number of milliseconds/],
    [{ connectTimeoutMillis: 0 }, /^mysql\(\{ connectTimeoutMillis \}\)/],
    [{ flavor: "postgres" }, /^mysql\(\{ flavor \}\): must be one of "mariadb", "mysql", got "postgres"/],
    [{ nesting: "xml" }, /^mysql\(\{ nesting \}\): must be one of "union", "json"/],
    [{ collation: "utf8mb4_bin; drop" }, /^mysql\(\{ collation \}\): must be a plain identifier/],
    [{ pasword: "x" }, /^mysql\(\{ pasword \}\): unknown option; did you mean password\?/],
    [{ connectTimeout: 5 }, /^mysql\(\{ connectTimeout \}\): unknown option; did you mean connectTimeoutMillis\?/],
    [{ uri: "mysql://x" }, /^mysql\(\{ uri \}\): unknown option; did you mean url\?/],
  ])("%j", (options, message) => {
    let err: unknown;
    try {
      mysql(options as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toMatch(message);
  });

  test("valid options pass", async () => {
    const adapter = mysql({
      host: "127.0.0.1",
      port: 3306,
      user: "root",
      password: "",
      database: "test",
      max: 2,
      maxIdle: 1,
      flavor: "mariadb",
      nesting: "json",
      collation: "utf8mb4_bin",
    });
    await adapter.driver.close();
  });
});
