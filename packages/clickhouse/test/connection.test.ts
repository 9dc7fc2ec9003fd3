import { type AddressInfo, type Socket, createServer } from "node:net";
import { ConfigurationError, ConnectionError, type LogEvent, QueryError, connect, f, model } from "@dotorm/core";
import { describe, expect, test } from "vitest";
import { clickhouse } from "../src/index.js";

const Note = model("conn_notes", { body: f.text({ required: true }) });

/** Everything written to the console or to stdout/stderr while `fn` runs. */
async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; printed: string[] }> {
  const printed: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug", "trace"] as const;
  const saved = methods.map((m) => console[m]);
  const writes = [process.stdout.write, process.stderr.write];
  for (const m of methods)
    console[m] = (...args: unknown[]) => void printed.push(`console.${m}: ${args.map(String).join(" ")}`);
  process.stdout.write = ((chunk: unknown) =>
    printed.push(`stdout: ${String(chunk)}`) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) =>
    printed.push(`stderr: ${String(chunk)}`) > 0) as typeof process.stderr.write;
  try {
    const result = await fn();
    // late log lines of the failed requests land after the rejection
    await new Promise((r) => setTimeout(r, 200));
    return { result, printed };
  } finally {
    methods.forEach((m, i) => {
      console[m] = saved[i] as never;
    });
    [process.stdout.write, process.stderr.write] = writes as [typeof process.stdout.write, typeof process.stderr.write];
  }
}

/** A port on 127.0.0.1 that nothing listens on: bound by us, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe("connection failures are ConnectionErrors at connect, with the driver's error as cause", () => {
  test("nothing listens on the port: a ConnectionError saying what to check, and nothing printed to the console", async () => {
    const port = await closedPort();
    const logs: LogEvent[] = [];
    const { result: err, printed } = await captureOutput(() =>
      connect(clickhouse({ url: `http://127.0.0.1:${port}`, database: "default" }), {
        models: [Note],
        log: (e) => logs.push(e),
      }).catch((e: unknown) => e),
    );
    expect(printed).toEqual([]);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(
      /cannot reach ClickHouse: the connection was refused .*; is the server running there\? Check the host and HTTP port \(8123 by default\) in the url/,
    );
    expect((err as ConnectionError).cause).toBeDefined();
    // what @clickhouse/client would have printed reaches the "log" listener instead
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.every((e) => e.source === "@clickhouse/client" && typeof e.message === "string")).toBe(true);
    expect(logs.some((e) => e.level === "error" && e.error instanceof Error)).toBe(true);
  });

  test("without a listener the client's log is dropped: nothing printed either", async () => {
    const port = await closedPort();
    const { result: err, printed } = await captureOutput(() =>
      connect(clickhouse({ url: `http://127.0.0.1:${port}` }), { models: [Note] }).catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(ConnectionError);
    expect(printed).toEqual([]);
  });

  test('verify: false connects lazily: the first query fails, logs go to db.on("log"), nothing printed', async () => {
    const port = await closedPort();
    const logs: LogEvent[] = [];
    const { result: err, printed } = await captureOutput(async () => {
      const db = await connect(clickhouse({ url: `http://127.0.0.1:${port}` }), { models: [Note], verify: false });
      db.on("log", (e) => logs.push(e));
      const e = await Note.count().catch((x: unknown) => x);
      await db.close();
      return e;
    });
    expect(err).toBeInstanceOf(ConnectionError);
    expect(printed).toEqual([]);
    expect(logs.some((e) => e.level === "error")).toBe(true);
  });

  test('logLevel: "off" sends nothing to the listener', async () => {
    const port = await closedPort();
    const logs: LogEvent[] = [];
    const { printed } = await captureOutput(() =>
      connect(clickhouse({ url: `http://127.0.0.1:${port}`, logLevel: "off" }), {
        models: [Note],
        log: (e) => logs.push(e),
      }).catch((e: unknown) => e),
    );
    expect(printed).toEqual([]);
    expect(logs).toEqual([]);
  });

  test("a server that accepts but never answers: connect fails within connectTimeout", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = performance.now();
      const err = await connect(clickhouse({ url: `http://127.0.0.1:${port}`, connectTimeout: 500 }), {
        models: [Note],
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toMatch(/connectTimeout \(500 ms\)/);
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test("connect's check waits 10 s for a server and 60 s for embedded chDB (its first start loads the engine); a given connectTimeout wins", async () => {
    const waits = async (options: Parameters<typeof clickhouse>[0]) => {
      const { driver } = clickhouse(options);
      const ms = (driver as unknown as { connectTimeout: number }).connectTimeout;
      await driver.close();
      return ms;
    };
    expect(await waits({ url: "http://127.0.0.1:1" })).toBe(10_000);
    expect(await waits({ url: "http://127.0.0.1:1", connectTimeout: 2500 })).toBe(2500);
    expect(await waits({ embedded: true, database: "dotorm_verify_edges" })).toBe(60_000);
    expect(await waits({ embedded: true, database: "dotorm_verify_edges", connectTimeout: 1500 })).toBe(1500);
  });

  test("chDB: connect checks the embedded engine and resolves", async () => {
    const db = await connect(clickhouse({ embedded: true, database: "dotorm_verify_edges" }), { models: [Note] });
    expect(await db.sql`SELECT ${41} + 1 AS n`).toEqual([{ n: 42 }]);
    await db.close();
  });
});

describe("clickhouse() checks its options at construction", () => {
  test.each([
    [
      { url: "not a url" },
      /^clickhouse\(\{ url \}\): "not a url" is not a URL; expected a URL like http:\/\/localhost:8123/,
    ],
    [
      { url: "clickhouse://localhost:9000" },
      /^clickhouse\(\{ url \}\): .* has the scheme "clickhouse:", expected http:\/\/ or https:\/\//,
    ],
    [{ database: "a-b" }, /^clickhouse\(\{ database \}\): must be a plain identifier/],
    [{ nodeId: 1024 }, /^clickhouse\(\{ nodeId \}\): must be a whole number from 0 to 1023, got 1024/],
    [{ batchSize: 0 }, /^clickhouse\(\{ batchSize \}\)/],
    [{ settings: "max_threads=1" }, /^clickhouse\(\{ settings \}\): must be an object/],
    [
      { logLevel: "verbose" },
      /^clickhouse\(\{ logLevel \}\): must be one of "trace", "debug", "info", "warn", "error", "off"/,
    ],
    [{ connectTimeout: 0 }, /^clickhouse\(\{ connectTimeout \}\)/],
    [{ usename: "x" }, /^clickhouse\(\{ usename \}\): unknown option; did you mean username\?/],
    [{ user: "x" }, /^clickhouse\(\{ user \}\): unknown option; did you mean username\?/],
    [{ embedded: true, url: "http://localhost:8123" }, /give either url \(a server\) or embedded \(chDB\), not both/],
    [
      { embedded: true, username: "u" },
      /^clickhouse\(\{ username \}\) applies to a server \(url\), not to embedded chDB/,
    ],
  ])("%j", (options, message) => {
    let err: unknown;
    try {
      clickhouse(options as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toMatch(message);
  });
});

describe("time limits", () => {
  test("a statement longer than statementTimeout is stopped by chDB with a QueryError naming it", async () => {
    const db = await connect(clickhouse({ embedded: true, database: "dotorm_time_limits", statementTimeout: 1000 }), {
      models: [Note],
    });
    try {
      const started = performance.now();
      const err = await db.sql`SELECT sleepEachRow(0.5) FROM numbers(24) SETTINGS max_block_size = 1`.catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(QueryError);
      expect((err as Error).message).toMatch(/statementTimeout \(1000 ms\)/);
      // uninterrupted it would take 12 s
      expect(performance.now() - started).toBeLessThan(8000);
    } finally {
      await db.close();
    }
  });

  test("time limits must be whole milliseconds", () => {
    expect(() => clickhouse({ embedded: true, statementTimeout: -1 })).toThrow(ConfigurationError);
    expect(() => clickhouse({ embedded: true, queryTimeout: 1.5 })).toThrow(/queryTimeout/);
  });
});
