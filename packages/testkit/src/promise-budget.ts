import { createHook } from "node:async_hooks";
import { type Database, connect, f, model } from "@dotorm/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ConformanceTarget } from "./target.js";

const Owner = model("promise_owners", { name: f.char({ maxLength: 50 }) });
const Note = model("promise_notes", {
  owner_id: f.many2one(() => Owner, { required: true }),
  body: f.text(),
  at: f.datetime({ default: "now", readonly: true }),
});

/**
 * PROMISE resources made per call of `op`: the fewest over `batches` batches of `n` calls, after a
 * warm-up. The hook sees every promise of the process, so a batch can also count the test runner's own
 * (its reports to the main process, on a slow machine more of them); the fewest is the op's own count,
 * and an op that makes more promises on every call still reads more in every batch.
 */
async function promisesPerCall(op: () => Promise<unknown>, n = 20, batches = 5): Promise<number> {
  for (let i = 0; i < 5; i++) await op();
  let count = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === "PROMISE") count++;
    },
  });
  let fewest = Number.POSITIVE_INFINITY;
  for (let b = 0; b < batches; b++) {
    count = 0;
    hook.enable();
    try {
      for (let i = 0; i < n; i++) await op();
    } finally {
      hook.disable();
    }
    fewest = Math.min(fewest, count / n);
  }
  return fewest;
}

/**
 * Declares the test that a transaction (a create, then a three-row createMany: four statements)
 * makes at most `budget` promises on `target`, and, given `reads`, that a get by id, a filtered
 * search, an update by id and a delete by id outside a transaction make at most `reads` each (the
 * caller's own `await` included). On Node 20 each promise costs a hook call once
 * `AsyncLocalStorage` is in use (a transaction turns it on for the process), so the write path
 * settles a statement with one promise (the driver's callback form, `executeWith`) and adds none
 * per layer (issue 18).
 *
 * @example
 * transactionPromiseBudget(pgServer, "pg_tx_promises", 20, 3);
 */
export function transactionPromiseBudget(
  target: ConformanceTarget,
  namespace: string,
  budget: number,
  reads?: number,
): void {
  let db: Database;
  beforeAll(async () => {
    db = await connect(await target.open(namespace), { models: [Owner, Note] });
    await db.sync();
  });
  afterAll(async () => {
    await db?.close();
    await target.drop?.(namespace);
  });

  describe(`promises per call [${target.name}]`, () => {
    test(`a transaction creating a record and three more (four statements) makes at most ${budget} promises`, async () => {
      const op = () =>
        db.transaction(async () => {
          const ownerId = await Owner.create({ name: "o" });
          await Note.createMany([1, 2, 3].map((i) => ({ owner_id: ownerId, body: `n${i}` })));
        });
      expect(await promisesPerCall(op)).toBeLessThanOrEqual(budget);
      // a warm-up of 5 and 5 batches of 20 transactions, three notes each
      expect(await Note.count()).toBe((5 + 5 * 20) * 3);
    });

    if (reads !== undefined)
      test(`a get by id, a filtered search, an update by id and a delete by id outside a transaction each make at most ${reads} promises`, async () => {
        const [first] = await Owner.search({ limit: 1 });
        const id = (first as { id: number }).id;
        const get = () => Owner.get(id, { fields: ["name"] });
        const search = () => Owner.search({ filter: [["id", ">=", id]], fields: ["name"], limit: 5 });
        expect(await promisesPerCall(get)).toBeLessThanOrEqual(reads);
        expect(await promisesPerCall(search)).toBeLessThanOrEqual(reads);
        expect(((await get()) as { name: string }).name).toBe("o");
        const [note] = await Note.search({ limit: 1, fields: ["body"] });
        const noteId = (note as { id: number }).id;
        let n = 0;
        const update = () => Note.updateMany([noteId], { body: `edited ${++n}` });
        expect(await promisesPerCall(update)).toBeLessThanOrEqual(reads);
        expect(((await Note.get(noteId, { fields: ["body"] })) as { body: string }).body).toBe(`edited ${n}`);
        // deleting a row that is gone runs the same statement as deleting one that is there
        await Note.deleteMany([noteId]);
        const remove = () => Note.deleteMany([noteId]);
        expect(await promisesPerCall(remove)).toBeLessThanOrEqual(reads);
        expect(await Note.getOrNull(noteId)).toBeNull();
      });
  });
}
