import { ConnectionError, connect, f, model } from "@dotorm/core";
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
