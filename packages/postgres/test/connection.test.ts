import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConnectionError, connect, f, model } from "@dotorm/core";
import { afterAll, describe, expect, test } from "vitest";
import { postgres } from "../src/index.js";
import { pgUrl } from "./targets.js";

const Note = model("conn_notes", { body: f.text({ required: true }) });

describe("connection failures are ConnectionErrors, with the driver's error as cause", () => {
  test("nothing listens on the port", async () => {
    const db = await connect(postgres({ url: "postgres://postgres@127.0.0.1:1/test", connectionTimeoutMillis: 2000 }), { models: [Note] });
    const err = await Note.count().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).cause).toBeDefined();
    await db.close();
  });

  test("the database does not exist", async () => {
    const url = new URL(pgUrl);
    url.pathname = "/dotorm_no_such_database";
    const db = await connect(postgres({ url: url.toString() }), { models: [Note] });
    await expect(Note.count()).rejects.toBeInstanceOf(ConnectionError);
    await db.close();
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
});
