import { type Adapter, type Database, connect, f, model } from "@dotorm/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ReplicationPair, startReplication } from "./replication.js";
import { onCI } from "./ci.js";

/** What {@link replicaSuite} needs from an adapter package. */
export interface ReplicaSuiteOptions {
  readonly engine: "postgres" | "mariadb";
  /** The adapter over the pair: `replicas: [pair.replica]` plus `extra` (e.g. `maxReplicaLag`). */
  adapter(pair: ReplicationPair, extra: Record<string, unknown>): Adapter;
  /** Raw SQL on one node (a driver client of the test's own). */
  query(url: string, sql: string): Promise<Record<string, unknown>[]>;
  /** Statements that pause and resume applying the primary's changes on the replica. */
  readonly pauseApply: string;
  readonly resumeApply: string;
}

const leadFields = { name: f.char({ maxLength: 80, required: true }), amount: f.integer() };
const Lead = model("rep_leads", leadFields);
/** The same table for a second connection (a model class is bound to one database at a time). */
const GuardedLead = model("rep_leads", leadFields);

const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/**
 * Read replicas against a real replication pair (tooling/replicas): reads outside transactions land
 * on the replica, writes and transactions on the primary, `db.primary()` and `{ replica: false }`
 * read the primary, a lagging replica is skipped with `maxReplicaLag`, and a stopped replica falls
 * back to the primary with no failed call. Replication is paused to tell the two apart: a row written
 * while it is paused exists on the primary only.
 */
export function replicaSuite(o: ReplicaSuiteOptions): void {
  describe(`read replicas [${o.engine}, real replication]`, () => {
    let pair: ReplicationPair | undefined;
    let missing = false;
    let db: Database;
    const logs: string[] = [];
    const names = async (options?: { replica?: boolean }) =>
      (await Lead.search({ fields: ["name"], order: "id", ...options })).map((r) => r.name);
    const replicated = (n: number) =>
      until(
        `the replica has ${n} leads`,
        async () => Number((await o.query(pair!.replica, "SELECT COUNT(*) AS n FROM rep_leads"))[0]?.n) === n,
      );

    beforeAll(async () => {
      try {
        pair = await startReplication(o.engine);
      } catch (e) {
        // code 3: the server binaries are not installed (a laptop without them); CI installs them
        if ((e as { code?: unknown }).code === 3 && !onCI()) missing = true;
        else throw e;
        return;
      }
      db = await connect(o.adapter(pair, {}), { models: [Lead] });
      db.on("log", (e) => logs.push(e.message));
      await db.sync();
      await until(
        "the table reached the replica",
        async () => (await o.query(pair!.replica, "SELECT COUNT(*) AS n FROM rep_leads")).length === 1,
      );
    }, 300_000);

    afterAll(async () => {
      await db?.close();
      await pair?.stop();
    }, 120_000);

    test("reads outside transactions come from the replica; writes, transactions, db.primary and { replica: false } use the primary", async (ctx) => {
      if (missing) return ctx.skip();
      await Lead.create({ name: "before", amount: 1 });
      await replicated(1);
      await o.query(pair!.replica, o.pauseApply);
      try {
        const id = await Lead.create({ name: "paused", amount: 2 }); // a write: the primary
        expect(await names()).toEqual(["before"]); // the replica does not have it yet
        expect(await Lead.count()).toBe(1);
        expect(await Lead.getOrNull(id)).toBeNull();
        expect(await names({ replica: false })).toEqual(["before", "paused"]);
        expect(await Lead.count({ replica: false })).toBe(2);
        expect(await db.primary(() => names())).toEqual(["before", "paused"]);
        expect(await db.transaction(() => names())).toEqual(["before", "paused"]);
        const streamed: string[] = [];
        for await (const r of Lead.query().stream({ batchSize: 1 })) streamed.push(String(r.name));
        expect(streamed).toEqual(["before"]);
        expect(await Lead.query().count()).toBe(1);
        // a bulk write reads its targets on the primary: it finds the row the replica lacks
        expect(await Lead.updateMany([["name", "=", "paused"]], { amount: 3 })).toBe(1);
      } finally {
        await o.query(pair!.replica, o.resumeApply);
      }
      await replicated(2);
      // the update is replayed after the insert: wait for it too, not only for the row count
      await until(
        "the replica has the update",
        async () =>
          Number((await o.query(pair!.replica, "SELECT amount FROM rep_leads WHERE name = 'paused'"))[0]?.amount) === 3,
      );
      expect(await names()).toEqual(["before", "paused"]);
      expect((await Lead.search({ filter: [["name", "=", "paused"]], fields: ["amount"] }))[0]?.amount).toBe(3);
    });

    test("maxReplicaLag: a replica further behind than the bound is skipped, reads go to the primary", async (ctx) => {
      if (missing) return ctx.skip();
      const guarded = await connect(o.adapter(pair!, { maxReplicaLag: 500 }), { models: [GuardedLead] });
      const seen: string[] = [];
      guarded.on("log", (e) => seen.push(e.message));
      try {
        const before = await guarded.primary(() => GuardedLead.count());
        expect(await GuardedLead.count()).toBe(before); // caught up: the replica answers
        expect(seen).toEqual([]);
        await o.query(pair!.replica, o.pauseApply);
        try {
          await GuardedLead.create({ name: "behind", amount: 4 });
          // the lag reading is refreshed at most once a second, and must then exceed 500 ms
          await new Promise((r) => setTimeout(r, 2500));
          expect(await GuardedLead.count()).toBe(before + 1);
          expect(seen.some((m) => /skipped/.test(m))).toBe(true);
        } finally {
          await o.query(pair!.replica, o.resumeApply);
        }
      } finally {
        await guarded.close();
      }
      await replicated(await db.primary(() => Lead.count()));
    });

    test("a replica that stops: every read still succeeds, from the primary, and the replica is left out", async (ctx) => {
      if (missing) return ctx.skip();
      const total = await db.primary(() => Lead.count());
      await pair!.stopReplica();
      const results = await Promise.all(Array.from({ length: 8 }, () => Lead.count()));
      expect(results).toEqual(Array(8).fill(total));
      await Lead.create({ name: "after the replica stopped", amount: 5 });
      expect(await Lead.count()).toBe(total + 1); // the primary answers now
      expect(logs.some((m) => /left out/.test(m))).toBe(true);
    });
  });
}
