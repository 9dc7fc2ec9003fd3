import { DotormError, type QueryEvent } from "@dotorm/core";
import { format } from "node:util";
import createDebug from "debug";
import { Registry } from "prom-client";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Statement metrics (`db.stats()`), their exports (JSON, Prometheus text, a prom-client registry) and the DEBUG logger. */
export function insightStats(target: ConformanceTarget) {
  return suite("stats", target, (ctx) => {
    test("the query event: sql, bound params, durationMs within the call, rowCount, model and operation", async () => {
      const { db, Role } = ctx();
      const events: QueryEvent[] = [];
      const listen = (e: QueryEvent) => events.push(e);
      db.on("query", listen);
      const started = performance.now();
      try {
        await Role.createMany([{ code: "ev-1" }, { code: "ev-2" }, { code: "ev-3" }]);
        await Role.search({ filter: [["code", "=like", "ev-%"]], fields: ["code"] });
        await Role.count({ filter: [["code", "in", ["ev-1", "ev-2"]]] });
      } finally {
        db.off("query", listen);
      }
      const wall = performance.now() - started;
      const of = (operation: string) => events.filter((e) => e.operation === operation);
      const [search] = of("search");
      expect(search).toMatchObject({ model: Role.meta.table, rowCount: 3 });
      expect(JSON.stringify(search?.params)).toContain("ev-%");
      expect(search?.sql).not.toContain("ev-%"); // a bound value, never in the text
      const [count] = of("count");
      expect(count).toMatchObject({ model: Role.meta.table, rowCount: 1 });
      expect(JSON.stringify(count?.params)).toContain("ev-2");
      const creates = of("create");
      expect(creates.length).toBeGreaterThan(0);
      expect(creates.every((e) => e.model === Role.meta.table)).toBe(true);
      if (["clickhouse", "chdb"].includes(ctx().db.adapter.dialect)) {
        // ClickHouse inserts send their rows as the statement's data, not as parameters
        expect(creates.map((e) => e.params)).toEqual(creates.map(() => ({})));
      } else {
        expect(JSON.stringify(creates.map((e) => e.params))).toContain("ev-3");
      }
      for (const e of events) {
        expect(e.durationMs, e.sql).toBeGreaterThan(0);
        expect(e.durationMs, e.sql).toBeLessThanOrEqual(wall);
      }
      expect(events.reduce((sum, e) => sum + e.durationMs, 0)).toBeLessThanOrEqual(wall);
    });

    test("db.stats() counts calls, rows and time per statement shape, the costliest first", async () => {
      const { db, User } = ctx();
      const ids = await User.createMany([1, 2, 3].map((i) => ({ name: `Stat ${i}`, login: `stat-${i}` })));
      db.stats.reset();
      for (const id of ids) await User.get(id, { fields: ["name"] });
      await User.search({ filter: [["login", "like", "stat-"]], fields: ["name"] });
      const stats = db.stats();
      const get = stats.find((s) => s.operation === "get");
      expect(get).toMatchObject({ model: User.meta.table, calls: 3, rows: 3, errors: 0 });
      const search = stats.find((s) => s.operation === "search");
      expect(search).toMatchObject({ calls: 1, rows: 3 });
      expect(get!.sql).not.toContain("Stat");
      const s = get!;
      expect(s.meanMs).toBeCloseTo(s.totalMs / 3, 2);
      expect(s.p50Ms).toBeLessThanOrEqual(s.p95Ms);
      expect(s.p95Ms).toBeLessThanOrEqual(s.p99Ms);
      expect(s.p99Ms).toBeLessThanOrEqual(s.maxMs);
      expect(s.maxMs).toBeGreaterThan(0);
      for (let i = 1; i < stats.length; i++) expect(stats[i - 1]!.totalMs).toBeGreaterThanOrEqual(stats[i]!.totalMs);
      expect(JSON.parse(db.stats.json())).toEqual(stats);
    });

    test("failed statements count as errors of their shape; reset() forgets everything", async () => {
      const { db } = ctx();
      db.stats.reset();
      for (let i = 0; i < 2; i++)
        await expect(db.sql`select x from dotorm_no_such_table_stats where x = ${i}`).rejects.toBeInstanceOf(
          DotormError,
        );
      const [failed] = db.stats().filter((s) => s.sql.includes("dotorm_no_such_table_stats"));
      expect(failed).toMatchObject({ calls: 2, errors: 2, rows: 0, operation: "sql" });
      db.stats.reset();
      expect(db.stats()).toEqual([]);
    });

    test("Prometheus text: counters and a duration summary per shape, labels escaped", async () => {
      const { db, Chat, User } = ctx();
      const creator = await User.create({ name: "Prom", login: "prom-1" });
      const chat = await Chat.create({ name: 'say "hi"', creator_id: creator });
      db.stats.reset();
      await Chat.get(chat);
      await Chat.get(chat);
      const text = await db.stats.prometheus();
      const [shape] = db.stats();
      const label = shape!.sql.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
      expect(text).toContain("# TYPE dotorm_statement_calls_total counter");
      expect(text).toContain("# TYPE dotorm_statement_duration_seconds summary");
      expect(text).toContain(
        `dotorm_statement_calls_total{statement="${label}",model="${Chat.meta.table}",operation="get"} 2`,
      );
      expect(text).toContain(
        `dotorm_statement_rows_total{statement="${label}",model="${Chat.meta.table}",operation="get"} 2`,
      );
      expect(text).toMatch(/dotorm_statement_duration_seconds\{statement="[^\n]*",quantile="0.95"\} [0-9.e-]+/);
      expect(text).toContain(
        `dotorm_statement_duration_seconds_count{statement="${label}",model="${Chat.meta.table}",operation="get"} 2`,
      );
      expect(
        (await db.stats.prometheus({ prefix: "app_" }))
          .split("\n")
          .filter((l) => l.startsWith("app_statement_calls_total")),
      ).toHaveLength(1);
    });

    test("a prom-client registry scrapes the same metrics", async () => {
      const { db, User } = ctx();
      const id = await User.create({ name: "Reg", login: "reg-1" });
      db.stats.reset();
      await User.get(id);
      const registry = new Registry();
      db.stats.register(registry);
      const text = await registry.metrics();
      expect(text).toContain(`dotorm_statement_calls_total{statement=`);
      expect(text).toMatch(/operation="get"\} 1/);
      const json = await registry.getMetricsAsJSON();
      const calls = json.find((m) => m.name === "dotorm_statement_calls_total");
      expect(calls?.values).toEqual([
        expect.objectContaining({
          value: 1,
          labels: expect.objectContaining({ model: User.meta.table, operation: "get" }),
        }),
      ]);
      await User.get(id);
      const lines = (await registry.metrics()).split("\n");
      expect(lines.some((l) => l.startsWith("dotorm_statement_calls_total{") && l.endsWith('operation="get"} 2'))).toBe(
        true,
      );
      registry.resetMetrics();
      expect(db.stats()).toEqual([]);
    });

    test("DEBUG=dotorm:query prints each statement with its time; dotorm:params adds the values", async () => {
      const { User } = ctx();
      const lines: string[] = [];
      const log = createDebug.log;
      const before = createDebug.disable();
      createDebug.log = (...args: unknown[]) => void lines.push(format(...args));
      try {
        createDebug.enable("dotorm:query");
        await User.search({ filter: [["login", "=", "secret-login"]], fields: ["name"] });
        createDebug.disable();
        await User.search({ filter: [["login", "=", "after-disable"]], fields: ["name"] });
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/dotorm:query .*[0-9]+\.[0-9]{3} ms 0 rows .*\.search /);
        expect(lines[0]).not.toContain("secret-login");
        lines.length = 0;
        createDebug.enable("dotorm:*");
        await User.search({ filter: [["login", "=", "secret-login"]], fields: ["name"] });
        expect(lines.some((l) => l.includes("dotorm:params") && l.includes("secret-login"))).toBe(true);
      } finally {
        createDebug.log = log;
        createDebug.enable(before);
      }
    });
  });
}
