/**
 * DotORM on @dotorm/clickhouse against the raw @clickhouse/client, both on chDB in-process:
 * 1) insert 1,000,000 events: `Event.createMany` vs `client.insert` (JSONEachRow) of the same rows;
 * 2) count by day and type over them: the ORM's `groupBy().aggregate()` (and `db.sql`) vs raw SQL.
 * Each side runs in its own process (chDB binds one data directory per process), so each reports
 * its own peak RSS. Run with `pnpm --filter @dotorm/bench clickhouse`; BENCH_ROWS changes the size.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@clickhouse/client";
import { connect } from "@dotorm/core";
import { ClickHouseDdl, clickhouse } from "@dotorm/clickhouse";
import { createChdbConnection } from "chdb/connection";
import { Event, events, makeEvents } from "./clickhouse-events.js";
import { markdownTable, median, peakRssMb } from "./harness.js";

const rowsWanted = Number(process.env.BENCH_ROWS ?? 1_000_000);
const aggregateRounds = 7;
const aggregateSql = "SELECT `day`, `type`, count() AS n FROM `events` GROUP BY `day`, `type` ORDER BY `day`, `type`";

interface SideResult {
  insertRowsPerS: number;
  insertMs: number;
  aggregateMs: number;
  sqlAggregateMs?: number;
  groups: number;
  peakRssMb: number;
}

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function orm(dir: string, lazy = false): Promise<SideResult> {
  const batchSize = process.env.BENCH_CH_BATCH ? Number(process.env.BENCH_CH_BATCH) : undefined; // rows per insert request (adapter default 100,000)
  const db = await connect(clickhouse({ embedded: dir, database: "bench", batchSize }), { models: [Event] });
  await db.sync();
  // lazy: rows come from a generator, so only the chunk being inserted is ever in memory
  const rows = lazy ? events(rowsWanted) : makeEvents(rowsWanted);
  let ids: number[] = [];
  const insertMs = await timeMs(async () => {
    ids = await Event.createMany(rows);
  });
  if (ids.length !== rowsWanted) throw new Error(`createMany returned ${ids.length} ids`);
  const aggregate = () =>
    Event.query()
      .groupBy("day", "type")
      .aggregate({ n: ["id", "count"] });
  const groups = (await aggregate()).length;
  const times: number[] = [];
  const sqlTimes: number[] = [];
  for (let i = 0; i < aggregateRounds; i++) {
    times.push(await timeMs(aggregate));
    sqlTimes.push(
      await timeMs(
        () => db.sql`select day, type, count() as n from ${db.sql.id("events")} group by day, type order by day, type`,
      ),
    );
  }
  await db.close();
  return {
    insertRowsPerS: rowsWanted / (insertMs / 1000),
    insertMs,
    aggregateMs: median(times),
    sqlAggregateMs: median(sqlTimes),
    groups,
    peakRssMb: peakRssMb(),
  };
}

async function raw(dir: string): Promise<SideResult> {
  type Conn = NonNullable<Parameters<typeof createClient>[0]>["connection"];
  const client = createClient({ connection: createChdbConnection({ path: dir }) as unknown as Conn });
  await client.command({ query: "CREATE DATABASE IF NOT EXISTS bench" });
  await client.command({ query: "USE bench" });
  await client.command({ query: new ClickHouseDdl().createTable(Event.meta) });
  const rows = makeEvents(rowsWanted);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const text = (d: Date) =>
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  const insertMs = await timeMs(async () => {
    // The raw side also turns Dates into ClickHouse text and numbers its ids: the same work, by hand.
    const values = rows.map((r, i) => ({ id: i + 1, ...r, at: text(r.at) }));
    await client.insert({ table: "events", values, format: "JSONEachRow" });
  });
  const aggregate = async () => (await client.query({ query: aggregateSql, format: "JSONEachRow" })).json();
  const groups = (await aggregate()).length;
  const times: number[] = [];
  for (let i = 0; i < aggregateRounds; i++) times.push(await timeMs(aggregate));
  await client.close();
  return {
    insertRowsPerS: rowsWanted / (insertMs / 1000),
    insertMs,
    aggregateMs: median(times),
    groups,
    peakRssMb: peakRssMb(),
  };
}

function runSide(side: "orm" | "raw" | "orm-lazy"): SideResult {
  const dir = mkdtempSync(join(tmpdir(), `dotorm-bench-ch-${side}-`));
  try {
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), side, dir], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    return JSON.parse(out.trim().split("\n").pop() as string) as SideResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [side, dir] = process.argv.slice(2);
  if (side === "orm" || side === "raw" || side === "orm-lazy") {
    console.log(JSON.stringify(await (side === "raw" ? raw(dir as string) : orm(dir as string, side === "orm-lazy"))));
    return;
  }
  console.log(`DotORM vs raw @clickhouse/client on chDB (in-process), ${rowsWanted.toLocaleString("en")} events`);
  const r = runSide("raw");
  const o = runSide("orm");
  const lazy = runSide("orm-lazy");
  if (o.groups !== r.groups) throw new Error(`the two sides found ${o.groups} and ${r.groups} groups`);
  const f0 = (n: number) => Math.round(n).toLocaleString("en");
  console.log(
    markdownTable(
      ["workload", "DotORM", "raw", "ratio", "target"],
      [
        [
          "insert rows/s (createMany vs client.insert)",
          f0(o.insertRowsPerS),
          f0(r.insertRowsPerS),
          `${(o.insertRowsPerS / r.insertRowsPerS).toFixed(2)}×`,
          "≥ 0.90×",
        ],
        [
          `count by day and type, ms (${o.groups} groups), query set`,
          o.aggregateMs.toFixed(1),
          r.aggregateMs.toFixed(1),
          `${(r.aggregateMs / o.aggregateMs).toFixed(2)}×`,
          "",
        ],
        [
          "same through db.sql, ms",
          (o.sqlAggregateMs ?? 0).toFixed(1),
          r.aggregateMs.toFixed(1),
          `${(r.aggregateMs / (o.sqlAggregateMs ?? 1)).toFixed(2)}×`,
          "",
        ],
        ["peak RSS of the process, MB", f0(o.peakRssMb), f0(r.peakRssMb), "", ""],
        [
          "createMany from a generator: rows/s",
          f0(lazy.insertRowsPerS),
          f0(r.insertRowsPerS),
          `${(lazy.insertRowsPerS / r.insertRowsPerS).toFixed(2)}×`,
          "",
        ],
        ["createMany from a generator: peak RSS, MB", f0(lazy.peakRssMb), "", "", "bounded"],
      ],
    ),
  );
}

await main();
