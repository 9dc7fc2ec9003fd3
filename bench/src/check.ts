/**
 * `pnpm bench:check`: a short run of the PostgreSQL and MySQL benches (3 rounds of 300 ms windows
 * unless BENCH_ROUNDS / BENCH_MS say otherwise) whose median ratios are compared with the last
 * recorded ones in bench/baseline.json. Fails (exit 1) when a ratio falls more than 25% below its
 * record. `pnpm bench:check --record` writes the figures of this run as the new record.
 * For use before merging a performance-sensitive change; not in CI (the machine is too noisy).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { markdownTable } from "./harness.js";

/**
 * How far below its record a ratio may fall before the check fails: three runs of one build on a
 * quiet machine moved single rows by up to 25% (bench/README.md), so a tighter bound cries wolf.
 */
const TOLERANCE = 0.25;
const benches = { postgres: "postgres.ts", mysql: "mysql.ts" } as const;
const baselinePath = fileURLToPath(new URL("../baseline.json", import.meta.url));

interface Summary {
  readonly workloads: readonly { name: string; label: string; ratio: number; low: number; high: number }[];
}
type Baseline = Record<string, Record<string, number>>;

function run(bench: keyof typeof benches, dir: string): Summary {
  const out = join(dir, `${bench}.json`);
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
const rows: string[][] = [];
const fresh: Baseline = {};
let failed = 0;
try {
  for (const bench of Object.keys(benches) as (keyof typeof benches)[]) {
    const summary = run(bench, dir);
    fresh[bench] = Object.fromEntries(summary.workloads.map((w) => [w.name, Number(w.ratio.toFixed(3))]));
    for (const w of summary.workloads) {
      const was = baseline[bench]?.[w.name];
      const floor = was === undefined ? undefined : was * (1 - TOLERANCE);
      const ok = floor === undefined || w.ratio >= floor;
      if (!ok) failed++;
      rows.push([
        `${bench}: ${w.label}`,
        `${w.ratio.toFixed(2)}×`,
        `${w.low.toFixed(2)}–${w.high.toFixed(2)}×`,
        was === undefined ? "none" : `${was.toFixed(2)}×`,
        ok ? "ok" : "REGRESSED",
      ]);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\n${markdownTable(["workload", "ratio now", "spread", "recorded", `within ${TOLERANCE * 100}%`], rows)}`);
if (record) {
  writeFileSync(baselinePath, `${JSON.stringify(fresh, null, 2)}\n`);
  console.log(`\nrecorded as the new baseline: ${baselinePath}`);
} else if (failed > 0) {
  console.error(`\n${failed} workload(s) fell more than ${TOLERANCE * 100}% below bench/baseline.json`);
  process.exitCode = 1;
}
