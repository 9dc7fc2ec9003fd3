/**
 * Issue 6 bench: stream 1,000,000 rows through a query set (server-side cursor on PostgreSQL, the
 * driver's stream on ClickHouse) and report rows/s and peak RSS; then an aggregate grouped by day
 * and kind over the same rows through the ORM vs the same SQL by hand.
 *
 *   pnpm --filter @dotorm/bench stream            # PostgreSQL (DOTORM_PG_URL)
 *   pnpm --filter @dotorm/bench stream chdb       # ClickHouse in process
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Adapter, connect, f, model } from "@dotorm/core";
import { median, peakRssMb } from "./harness.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const target = process.argv[2] ?? "postgres";
/**
 * chDB keeps its data in this process: the rows are inserted by a child process ("seed-only") and
 * streamed by this one after reopening the directory, so the peak RSS is the reader's, not the
 * writer's (the embedded engine holds its insert buffers until the process ends).
 */
const chdbDir = process.env.BENCH_CHDB_DIR ?? "";
const seedOnly = process.argv[3] === "seed-only";

const Event = model("bench_stream_events", {
  kind: f.selection({
    options: [
      ["view", "View"],
      ["click", "Click"],
      ["buy", "Buy"],
    ],
    required: true,
  }),
  amount: f.integer({ required: true }),
  day: f.date({ required: true }),
});

async function adapterFor(): Promise<{ adapter: Adapter; seed: string; raw: string }> {
  if (target === "chdb") {
    const { clickhouse } = await import("@dotorm/clickhouse");
    return {
      adapter: clickhouse({ embedded: chdbDir, database: "dotorm_bench_stream" }),
      seed:
        `INSERT INTO bench_stream_events (id, kind, amount, day) SELECT number + 1, ['view','click','buy'][number % 3 + 1], ` +
        `toInt32(number % 1000), toDate('2026-01-01') + intDiv(number, 40000) FROM numbers(${ROWS})`,
      raw: "SELECT day, kind, count(id) AS n, sum(amount) AS total FROM bench_stream_events GROUP BY day, kind ORDER BY day, kind",
    };
  }
  const { postgres } = await import("@dotorm/postgres");
  const pg = (await import("pg")).default;
  const url = process.env.DOTORM_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query("DROP SCHEMA IF EXISTS dotorm_bench_stream CASCADE; CREATE SCHEMA dotorm_bench_stream");
  await admin.end();
  return {
    adapter: postgres({ url, schema: "dotorm_bench_stream" }),
    seed:
      `INSERT INTO bench_stream_events (kind, amount, day) SELECT (ARRAY['view','click','buy'])[i % 3 + 1], i % 1000, ` +
      `DATE '2026-01-01' + (i / 40000) FROM generate_series(0, ${ROWS - 1}) AS i`,
    raw: "SELECT day, kind, count(id) AS n, sum(amount) AS total FROM bench_stream_events GROUP BY day, kind ORDER BY day, kind",
  };
}

if (target === "chdb" && !chdbDir) {
  // re-run this script with a fresh directory: a child seeds it, then this process streams it
  const dir = mkdtempSync(join(tmpdir(), "dotorm-bench-stream-"));
  const env = { ...process.env, BENCH_CHDB_DIR: dir };
  const script = fileURLToPath(import.meta.url);
  execFileSync(process.execPath, [...process.execArgv, script, "chdb", "seed-only"], { env, stdio: "inherit" });
  execFileSync(process.execPath, [...process.execArgv, script, "chdb"], { env, stdio: "inherit" });
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

const { adapter, seed, raw } = await adapterFor();
const db = await connect(adapter, { models: [Event] });
await db.sync();
if (target !== "chdb" || seedOnly) await db.exec({ sql: seed, params: [] });
if (seedOnly) {
  await db.close();
  process.exit(0);
}
console.log(`${target}: ${ROWS.toLocaleString("en")} rows seeded; RSS before streaming ${peakRssMb().toFixed(1)} MB`);

let count = 0;
let sum = 0;
const start = performance.now();
for await (const e of Event.query()
  .orderBy("id")
  .stream({ batchSize: Number(process.env.BENCH_BATCH ?? 1000) })) {
  count += 1;
  sum += e.amount;
}
const seconds = (performance.now() - start) / 1000;
console.log(
  `stream: ${count.toLocaleString("en")} rows in ${seconds.toFixed(2)} s = ${Math.round(count / seconds).toLocaleString("en")} rows/s; ` +
    `checksum ${sum}; peak RSS ${peakRssMb().toFixed(1)} MB`,
);
if (count !== ROWS) throw new Error(`streamed ${count} rows, expected ${ROWS}`);

const orm: number[] = [];
const sql: number[] = [];
let ormRows: Record<string, unknown>[] = [];
let rawRows: readonly Record<string, unknown>[] = [];
for (let i = 0; i < 5; i++) {
  let t = performance.now();
  ormRows = await Event.query()
    .groupBy("day", "kind")
    .orderBy("day", "kind")
    .aggregate({ n: ["id", "count"], total: ["amount", "sum"] });
  orm.push(performance.now() - t);
  t = performance.now();
  rawRows = (await db.exec({ sql: raw, params: [] })).rows;
  sql.push(performance.now() - t);
}
if (ormRows.length !== rawRows.length || Number(ormRows[0]?.n) !== Number(rawRows[0]?.n))
  throw new Error("ORM and raw aggregates disagree");
console.log(
  `aggregate by day and kind (${ormRows.length} groups): ORM median ${median(orm).toFixed(1)} ms, raw SQL median ${median(sql).toFixed(1)} ms, ` +
    `ratio ${(median(sql) / median(orm)).toFixed(2)}x`,
);
await db.close();
