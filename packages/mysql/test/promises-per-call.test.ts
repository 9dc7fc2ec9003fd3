import { createHook } from "node:async_hooks";
import { type Database, connect, f, model } from "@dotorm/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mariadb } from "./targets.js";

/**
 * Promises a transaction makes on MariaDB. On Node 20 each promise costs a hook call once
 * `AsyncLocalStorage` is in use (a transaction turns it on for the process), so the write path
 * settles a statement with one promise (the driver's callback form, `executeWith`, over mysql2's callback API) and adds none
 * per layer (issue 18). Without `executeWith` the same transaction made 21 promises on MariaDB (17 with it).
 */
const Owner = model("promise_owners", { name: f.char({ maxLength: 50 }) });
const Note = model("promise_notes", {
  owner_id: f.many2one(() => Owner, { required: true }),
  body: f.text(),
  at: f.datetime({ default: "now", readonly: true }),
});
const namespace = "my_tx_promises";
let db: Database;

beforeAll(async () => {
  db = await connect(await mariadb.open(namespace), { models: [Owner, Note] });
  await db.sync();
});
afterAll(async () => {
  await db?.close();
  await mariadb.drop?.(namespace);
});

/** PROMISE resources made per call of `op`, over `n` calls after a warm-up. */
async function promisesPerCall(op: () => Promise<unknown>, n = 20): Promise<number> {
  for (let i = 0; i < 5; i++) await op();
  let count = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === "PROMISE") count++;
    },
  });
  hook.enable();
  try {
    for (let i = 0; i < n; i++) await op();
  } finally {
    hook.disable();
  }
  return count / n;
}

describe("promises per call", () => {
  test("a transaction creating a record and three more (START TRANSACTION, two INSERTs, COMMIT) makes at most 18 promises", async () => {
    const op = () =>
      db.transaction(async () => {
        const ownerId = await Owner.create({ name: "o" });
        await Note.createMany([1, 2, 3].map((i) => ({ owner_id: ownerId, body: `n${i}` })));
      });
    const perCall = await promisesPerCall(op);
    expect(perCall).toBeLessThanOrEqual(18);
    expect(await Note.count()).toBe(75);
  });
});
