/**
 * `pnpm bench:check`: a short run of the PostgreSQL and MySQL benches (3 rounds of 300 ms windows
 * unless BENCH_ROUNDS / BENCH_MS say otherwise), each workload's ratio compared with its recorded
 * median in bench/baseline.json. A workload fails when its median falls more than 15% below its record.
 * One run of a bench is made first; when a row is below its floor, the bench runs again (at most three
 * runs) and each row is judged on the median of its runs, so one noisy run does not fail the check.
 * `pnpm bench:check --record` makes three runs of each bench and records the medians.
 * For use before merging a performance-sensitive change; not in CI (the machine is too noisy).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RowVerdict, type RunRatios, needsMoreRuns, verdict } from "./check-verdict.js";
import { markdownTable } from "./harness.js";

/** How far below its record a workload's median may fall (issue 18: 15%). */
const TOLERANCE = 0.15;
/** At most this many runs per bench: the median of three outvotes one noisy run. */
const MOST_RUNS = 3;
const benches = { postgres: "postgres.ts", mysql: "mysql.ts" } as const;
const baselinePath = fileURLToPath(new URL("../baseline.json", import.meta.url));

interface Summary {
  readonly workloads: readonly { name: string; label: string; ratio: number; low: number; high: number }[];
}
type Baseline = Record<string, Record<string, number>>;

function runOnce(bench: keyof typeof benches, dir: string, n: number): Summary {
  const out = join(dir, `${bench}-${n}.json`);
  const script = fileURLToPath(new URL(benches[bench], import.meta.url));
  const env = {
    ...process.env,
    BENCH_JSON: out,
    BENCH_ROUNDS: process.env.BENCH_ROUNDS ?? "3",
    BENCH_MS: process.env.BENCH_MS ?? "300",
  };
  const r = spawnSync(process.execPath, ["--import", "tsx", script], { env, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`the ${bench} bench failed (exit ${r.status})`);
  return JSON.parse(readFileSync(out, "utf8")) as Summary;
}

const record = process.argv.includes("--record");
const baseline: Baseline = existsSync(baselinePath) ? (JSON.parse(readFileSync(baselinePath, "utf8")) as Baseline) : {};
const dir = mkdtempSync(join(tmpdir(), "dotorm-bench-check-"));
const table: string[][] = [];
const fresh: Baseline = {};
let failed = 0;
try {
  for (const bench of Object.keys(benches) as (keyof typeof benches)[]) {
    const labels = new Map<string, string>();
    const runs: RunRatios[] = [];
    let rows: RowVerdict[] = [];
    do {
      const summary = runOnce(bench, dir, runs.length);
      for (const w of summary.workloads) labels.set(w.name, w.label);
      runs.push(Object.fromEntries(summary.workloads.map((w) => [w.name, w.ratio])));
      rows = verdict(baseline[bench], runs, TOLERANCE);
      if (!record && needsMoreRuns(rows, MOST_RUNS))
        console.log(`\n${bench}: a workload is below its floor after ${runs.length} run(s); running again`);
    } while (record ? runs.length < MOST_RUNS : needsMoreRuns(rows, MOST_RUNS));
    fresh[bench] = Object.fromEntries(rows.map((r) => [r.name, Number(r.median.toFixed(3))]));
    for (const r of rows) {
      if (!r.ok) failed++;
      table.push([
        `${bench}: ${labels.get(r.name) ?? r.name}`,
        `${r.median.toFixed(2)}×`,
        r.runs.map((v) => v.toFixed(2)).join(" · "),
        r.recorded === undefined ? "none" : `${r.recorded.toFixed(2)}×`,
        r.ok ? "ok" : "REGRESSED",
      ]);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\n${markdownTable(["workload", "median", "runs", "recorded", `within ${TOLERANCE * 100}%`], table)}`);
if (record) {
  writeFileSync(baselinePath, `${JSON.stringify(fresh, null, 2)}\n`);
  console.log(`\nrecorded the medians of ${MOST_RUNS} runs as the new baseline: ${baselinePath}`);
} else if (failed > 0) {
  console.error(
    `\n${failed} workload(s) fell more than ${TOLERANCE * 100}% below bench/baseline.json (median of ${MOST_RUNS} runs)`,
  );
  process.exitCode = 1;
}
