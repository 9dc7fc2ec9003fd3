import { ConnectionError, connect, f, model } from "@dotorm/core";
import { describe, expect, test } from "vitest";
import { mysql } from "../src/index.js";
import { urlFor } from "./targets.js";

const Note = model("conn_notes", { body: f.text({ required: true }) });

describe("connection failures are ConnectionErrors, with the driver's error as cause", () => {
  test("nothing listens on the port", async () => {
    const db = await connect(mysql({ url: "mysql://root@127.0.0.1:1/test" }), { models: [Note] });
    const err = await Note.count().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).cause).toBeDefined();
    await db.close();
  });

  test("the database does not exist", async () => {
    const db = await connect(mysql({ url: urlFor("dotorm_no_such_database") }), { models: [Note] });
    await expect(Note.count()).rejects.toBeInstanceOf(ConnectionError);
    await db.close();
  });
});
