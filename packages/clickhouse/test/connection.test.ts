import { ConfigurationError, ConnectionError, QueryError, connect, f, model } from "@dotorm/core";
import { describe, expect, test } from "vitest";
import { clickhouse } from "../src/index.js";

const Note = model("conn_notes", { body: f.text({ required: true }) });

describe("connection failures are ConnectionErrors, with the driver's error as cause", () => {
  test("nothing listens on the port", async () => {
    const db = await connect(clickhouse({ url: "http://127.0.0.1:1", database: "default" }), { models: [Note] });
    const err = await Note.count().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).cause).toBeDefined();
    await db.close();
  });
});

describe("time limits", () => {
  test("a statement longer than statementTimeout is stopped by chDB with a QueryError naming it", async () => {
    const db = await connect(clickhouse({ embedded: true, database: "dotorm_time_limits", statementTimeout: 1000 }), { models: [Note] });
    try {
      const started = performance.now();
      const err = await db.sql`SELECT sleepEachRow(0.5) FROM numbers(24) SETTINGS max_block_size = 1`.catch((e: unknown) => e);
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
