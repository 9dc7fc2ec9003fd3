import {
  type AccessChecker,
  type AdviseEvent,
  type ExplainEvent,
  type ExplainPlan,
  QueryError,
  UnsupportedError,
  connect,
  f,
  model,
} from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Whether the dialect analyzes (runs and measures) a read: every one but ClickHouse. */
const analyzes = (dialect: string) => dialect !== "chdb" && dialect !== "clickhouse";
const postgresLike = (dialect: string) => dialect === "postgres" || dialect === "pglite";

/** The plan steps that read `table`. */
const reads = (plan: ExplainPlan, table: string) => plan.nodes.filter((n) => n.relation === table);

/**
 * `qs.explain({ analyze })`, `db.explain` and `db.advise`: the normalised plan of the statement a
 * search sends, recommendations checked against the real indexes, ANALYZE of writes.
 */
export async function insightExplain(target: ConformanceTarget) {
  await explainAccess(target);
  await suite("explain", target, (ctx) => {
    test("explain({}) normalises the plan of the very statement a search sends", async () => {
      const { db, Thing, record } = ctx();
      await Thing.createMany([1, 2, 3].map((i) => ({ label: `plan-${i}`, small: i })));
      const qs = Thing.query().filter({ small: 2 }).orderBy("label");
      const { statements } = await record(() => qs.all());
      const plan = await qs.explain({});
      expect(plan.sql).toBe(statements[0]?.sql);
      expect(plan.params).toEqual(statements[0]?.params);
      expect(plan).toMatchObject({ dialect: db.adapter.dialect, analyzed: false });
      expect(plan.raw).toBeTruthy();
      expect(plan.nodes[0]).toBe(plan.root);
      const [scan] = reads(plan, Thing.meta.table);
      expect(scan?.access).toBe("full");
      expect(typeof scan?.type).toBe("string");
      for (const n of plan.nodes) expect(Array.isArray(n.children)).toBe(true);
      const text = await qs.explain();
      expect(typeof text).toBe("string");
    });

    test("a filtered column without an index is reported with its DDL, and is gone once index: true is synced", async () => {
      const { db, prefix } = ctx();
      const table = `${prefix}_explain_leads`;
      const Lead = model(table, { name: f.char({ maxLength: 50 }), stage_id: f.integer() });
      const plain = await connect(db.adapter, { models: [Lead] });
      await plain.sync();
      await Lead.createMany(Array.from({ length: 30 }, (_, i) => ({ name: `lead-${i}`, stage_id: i % 3 })));
      const before = await Lead.query().filter({ stage_id: 2 }).explain({});
      const missing = before.recommendations.find((r) => r.kind === "missing-index" && r.column === "stage_id");
      expect(missing).toMatchObject({ table, field: "stage_id" });
      expect(missing?.message).toContain(`add index: true on ${table}.stage_id`);
      const Indexed = model(table, { name: f.char({ maxLength: 50 }), stage_id: f.integer({ index: true }) });
      const indexed = await connect(db.adapter, { models: [Indexed] });
      expect(await indexed.sync()).toEqual([missing?.ddl]);
      const after = await Indexed.query().filter({ stage_id: 2 }).explain({});
      expect(after.recommendations.filter((r) => r.column === "stage_id")).toEqual([]);
      const again = await Lead.query().filter({ stage_id: 2 }).explain({});
      expect(again.recommendations.filter((r) => r.column === "stage_id")).toEqual([]);
    });

    test("a dotted filter path over a foreign key without an index is reported until sync restores it", async () => {
      const { db, Chat, ChatMessage, User } = ctx();
      const { ddl, capabilities } = db.adapter;
      const table = ChatMessage.meta.table;
      const creator = await User.create({ name: "fk-owner" });
      const chat = await Chat.create({ name: "fk-chat", creator_id: creator });
      await ChatMessage.create({ chat_id: chat, body: "fk-body" });
      const qs = Chat.query().where([["messages.body", "=", "fk-body"]]);
      expect((await qs.explain({})).recommendations.filter((r) => r.kind === "foreign-key-index")).toEqual([]);
      const fk = `fk_${table}_chat_id`;
      const idx = `idx_${table}_chat_id`;
      if (capabilities.foreignKeys) await db.exec({ sql: ddl.dropForeignKey(fk, table), params: [] });
      await db.exec({ sql: ddl.dropIndex(idx, table), params: [] });
      const plan = await qs.explain({});
      const advice = plan.recommendations.find((r) => r.kind === "foreign-key-index");
      expect(advice).toMatchObject({ table, column: "chat_id", field: "chat_id" });
      expect(advice?.message).toContain("run db.sync()");
      await db.sync();
      expect((await qs.explain({})).recommendations.filter((r) => r.kind === "foreign-key-index")).toEqual([]);
    });

    test("analyze: actual rows of the scan, or UnsupportedError where the database has no ANALYZE", async () => {
      const { db, Thing } = ctx();
      await Thing.createMany(Array.from({ length: 12 }, (_, i) => ({ label: `an-${i}`, count: 700 + (i % 4) })));
      const qs = Thing.query().filter({ count: 701 });
      if (!analyzes(db.adapter.dialect)) {
        await expect(qs.explain({ analyze: true })).rejects.toBeInstanceOf(UnsupportedError);
        return;
      }
      const plan = await qs.explain({ analyze: true });
      expect(plan.analyzed).toBe(true);
      const [scan] = reads(plan, Thing.meta.table);
      expect(scan?.actualRows).toBe(3);
      expect(scan?.loops).toBe(1);
      expect(scan?.timeMs).toBeGreaterThanOrEqual(0);
      expect(plan.timeMs).toBeGreaterThan(0);
    });

    test("explain options are checked: unknown keys and non-boolean analyze raise QueryError naming them", async () => {
      const { Thing } = ctx();
      const qs = Thing.query();
      await expect(qs.explain({ analyse: true } as never)).rejects.toMatchObject({
        name: "QueryError",
        field: "analyse",
      });
      await expect(qs.explain({ analyze: "yes" } as never)).rejects.toMatchObject({
        name: "QueryError",
        field: "analyze",
      });
      await expect(qs.explain(null as never)).rejects.toBeInstanceOf(QueryError);
      await expect(Thing.query().explain([] as never)).rejects.toBeInstanceOf(QueryError);
    });

    test("ANALYZE of a write runs in a transaction that is rolled back (PostgreSQL) and is refused elsewhere", async () => {
      const { db, Thing, record } = ctx();
      const id = await Thing.create({ label: "keep" });
      const q = (name: string) => db.adapter.compiler.quote(name);
      const sql = `UPDATE ${q(Thing.meta.table)} SET ${q("label")} = 'changed' WHERE ${q("id")} = ${id}`;
      if (!postgresLike(db.adapter.dialect)) {
        const { statements } = await record(() =>
          expect(db.explain({ sql, params: [] }, { analyze: true })).rejects.toBeInstanceOf(UnsupportedError),
        );
        expect(statements.filter((s) => s.operation === "explain")).toEqual([]);
      } else {
        const plan = await db.explain({ sql, params: [] }, { analyze: true });
        expect(plan.analyzed).toBe(true);
        expect(plan.root.type).toBe("ModifyTable");
        expect(reads(plan, Thing.meta.table).some((n) => n.actualRows === 1)).toBe(true);
        await db.transaction(async () => {
          await Thing.create({ label: "inside" });
          await db.explain({ sql, params: [] }, { analyze: true });
        });
        expect(await Thing.query().filter({ label: "inside" }).count()).toBe(1);
      }
      expect((await Thing.get(id)).label).toBe("keep");
      // ClickHouse explains no UPDATE at all; elsewhere a plain EXPLAIN of a write runs nothing
      if (!analyzes(db.adapter.dialect)) return;
      const plain = await db.explain({ sql, params: [] });
      expect(plain.analyzed).toBe(false);
      expect((await Thing.get(id)).label).toBe("keep");
    });

    test("a sort that spills to disk is reported where the database says so (PostgreSQL analyzed)", async () => {
      const { db, Thing } = ctx();
      if (!postgresLike(db.adapter.dialect)) return;
      await Thing.createMany(
        Array.from({ length: 4000 }, (_, i) => ({
          label: `spill-${i}`,
          notes: `${"x".repeat(200)}${(i * 7919) % 4000}`,
        })),
      );
      const plan = await db.transaction(async () => {
        await db.sql`SET LOCAL work_mem = '64kB'`;
        return Thing.query().filter({ label__startswith: "spill-" }).orderBy("notes").explain({ analyze: true });
      });
      const sort = plan.nodes.find((n) => n.sortMethod !== undefined);
      expect(sort?.sortSpilled).toBe(true);
      const spill = plan.recommendations.find((r) => r.kind === "sort-spill");
      expect(spill).toMatchObject({ table: Thing.meta.table, field: "notes" });
      expect(spill?.message).toContain("work_mem");
    });

    test("ClickHouse: the ORDER BY key is seen in use, and an indexed filter that skips no granules is reported", async () => {
      const { db, prefix } = ctx();
      if (analyzes(db.adapter.dialect)) return;
      const Event = model(`${prefix}_explain_events`, { code: f.char({ maxLength: 10, index: true }) });
      const events = await connect(db.adapter, { models: [Event] });
      await events.sync();
      const ids = await Event.createMany(Array.from({ length: 30_000 }, (_, i) => ({ code: `c${i % 3}` })));
      const table = Event.meta.table;
      const byKey = await Event.query()
        .filter({ id: ids[0] as number })
        .explain({});
      expect(reads(byKey, table)[0]).toMatchObject({ keyUsed: true, access: "index" });
      const plan = await Event.query().filter({ code: "c1" }).explain({});
      const [scan] = reads(plan, table);
      expect(scan?.keyUsed).toBe(false);
      expect(scan?.granules?.total).toBeGreaterThan(1);
      expect(scan?.granules?.selected).toBe(scan?.granules?.total);
      expect(plan.recommendations).toEqual([expect.objectContaining({ kind: "no-granules-skipped", table })]);
    });

    test("db.advise() ranks recommendations by the total time of the shapes behind them; events fire", async () => {
      const { db, Thing } = ctx();
      await Thing.createMany(Array.from({ length: 20 }, (_, i) => ({ label: `adv-${i}`, small: i % 5, big: i })));
      db.stats.reset();
      for (let i = 0; i < 25; i++) await Thing.search({ filter: [["small", "=", i % 5]], fields: ["label"] });
      await Thing.search({ filter: [["big", "=", 3]], fields: ["label"] });
      await db.sql`select 1 as one`;
      const explained: ExplainEvent[] = [];
      const advised: AdviseEvent[] = [];
      const onExplain = (e: ExplainEvent) => explained.push(e);
      const onAdvise = (e: AdviseEvent) => advised.push(e);
      db.on("explain", onExplain).on("advise", onAdvise);
      const advice = await db.advise().finally(() => db.off("explain", onExplain).off("advise", onAdvise));
      const small = advice.findIndex((a) => a.column === "small");
      const big = advice.findIndex((a) => a.column === "big");
      expect(small).toBeGreaterThanOrEqual(0);
      expect(big).toBeGreaterThanOrEqual(0);
      expect(advice[small]).toMatchObject({ kind: "missing-index", table: Thing.meta.table, calls: 25 });
      expect(advice[big]).toMatchObject({ kind: "missing-index", table: Thing.meta.table, calls: 1 });
      // ranked by total time, as measured (not by call count: on a loaded machine one slow call of
      // "big" can outlast 25 fast ones of "small", so which comes first is the timings' to say)
      expect(advice[small]?.statements).toHaveLength(1);
      for (let i = 1; i < advice.length; i++) expect(advice[i - 1]!.totalMs).toBeGreaterThanOrEqual(advice[i]!.totalMs);
      expect(explained.length).toBe(advised[0]?.explained);
      expect(advised[0]?.skipped).toBeGreaterThanOrEqual(1);
      expect(advised[0]?.advice).toEqual(advice);
      expect(explained.every((e) => e.analyzed === false)).toBe(true);
      await expect(db.advise({ top: 0 })).rejects.toMatchObject({ name: "QueryError", field: "top" });
    });
  });
}

/** A session reads only the chats it created; outside a session everything is readable (to seed). */
const ownChats: AccessChecker<{ user: number }> = {
  check: ({ session, model, operation }) =>
    session && model.endsWith("_chats") && operation === "read" ? [["creator_id", "=", session.user]] : true,
};

/** Explain is not an oracle: it plans (and analyzes) the secured read, the statement a search sends for that session. */
function explainAccess(target: ConformanceTarget) {
  return suite(
    "explain-access",
    target,
    (ctx) => {
      test("explain runs the secured read of the session: same statement as its search, only its rows counted", async () => {
        const { db, Chat, User, record } = ctx();
        const [ann, bob] = (await User.createMany([{ name: "ex-ann" }, { name: "ex-bob" }])) as [number, number];
        await Chat.createMany([
          ...[1, 2].map((i) => ({ name: `ann-${i}`, creator_id: ann })),
          ...[1, 2, 3].map((i) => ({ name: `bob-${i}`, creator_id: bob })),
        ]);
        const open = await Chat.query().explain({});
        await db.withSession({ user: ann }, async () => {
          const { statements } = await record(() => Chat.query().all());
          const plan = await Chat.query().explain({});
          expect(plan.sql).toBe(statements[0]?.sql);
          expect(plan.params).toEqual(statements[0]?.params);
          expect(plan.sql).not.toBe(open.sql);
          expect(Object.values(plan.params)).toContain(ann);
          if (!analyzes(db.adapter.dialect)) return;
          const analyzed = await Chat.query().explain({ analyze: true });
          const [scan] = reads(analyzed, Chat.meta.table);
          expect(scan?.actualRows).toBe(2);
        });
      });
    },
    { access: ownChats },
  );
}
