// Merges the packages' coverage runs (`coverage/raw/<package>/coverage-final.json`, written when
// DOTORM_COVERAGE=1) into one report of packages/*/src and fails when a gate is not met:
// core's lines >= 92% and branches >= 85%, each adapter's lines >= 85%.
//
//   node tooling/coverage-gate/merge.mjs          # prints the table, writes coverage/merged/, exits 1 on a miss
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import libCoverage from "istanbul-lib-coverage";
import libReport from "istanbul-lib-report";
import reports from "istanbul-reports";

// COVERAGE_ROOT: another checkout whose runs to merge (to compare figures); the output goes there too
const root = resolve(process.env.COVERAGE_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), "../.."));
const rawDir = join(root, "coverage/raw");

/** What issue 22 asks for: core's lines 92% and branches 85%, each adapter's lines 85%. */
export const targets = {
  core: { lines: 92, branches: 85 },
  postgres: { lines: 85 },
  mysql: { lines: 85 },
  clickhouse: { lines: 85 },
};

/**
 * What fails the run today. A target becomes the gate once the merged figure meets it; until then the
 * gate is the floor last measured (rounded down), so coverage cannot fall, and the miss is printed.
 * Measured over the core, PostgreSQL/PGlite, MariaDB, chDB and cli runs: core 96.36% lines, 89.28% branches;
 * postgres 95.78%, mysql 93.98%, clickhouse 90.29% lines: every target is met, so the targets are the gates.
 */
export const gates = targets;

const runs = existsSync(rawDir) ? readdirSync(rawDir).filter((d) => existsSync(join(rawDir, d, "coverage-final.json"))) : [];
if (runs.length === 0) {
  console.error("coverage: no runs under coverage/raw (the packages' tests run with DOTORM_COVERAGE=1 write them)");
  process.exit(1);
}

const expected = ["core", "postgres", "mysql", "clickhouse", "rest", "cli"];
const absent = expected.filter((name) => !runs.includes(name));
if (absent.length > 0 && !process.env.COVERAGE_ROOT) {
  console.error(`coverage: no run of ${absent.join(", ")} under coverage/raw: the merged figures would be partial`);
  process.exit(1);
}

const map = libCoverage.createCoverageMap({});
for (const run of runs) map.merge(JSON.parse(readFileSync(join(rawDir, run, "coverage-final.json"), "utf8")));

/** packages/<name>/src/... → name; the testkit is the tests' own code, not measured. */
const packageOf = (file) => /\/packages\/([^/]+)\/src\//.exec(file)?.[1];
for (const file of map.files()) {
  const pkg = packageOf(file);
  if (!pkg || pkg === "testkit") map.filter((f) => f !== file);
}

const perPackage = new Map();
for (const file of map.files()) {
  const pkg = packageOf(file);
  const summary = perPackage.get(pkg) ?? libCoverage.createCoverageSummary();
  summary.merge(map.fileCoverageFor(file).toSummary());
  perPackage.set(pkg, summary);
}

const outDir = join(root, "coverage/merged");
rmSync(outDir, { recursive: true, force: true });
const context = libReport.createContext({ dir: outDir, coverageMap: map, defaultSummarizer: "nested" });
for (const name of ["html", "json-summary", "lcovonly"]) reports.create(name).execute(context);

const pct = (n) => `${n.pct.toFixed(2)}%`.padStart(8);
console.log(`\ncoverage of packages/*/src, merged over ${runs.length} runs (${runs.join(", ")}):`);
console.log(`${"package".padEnd(12)}${"lines".padStart(8)}${"branches".padStart(10)}${"functions".padStart(11)}${"statements".padStart(12)}`);
const failures = [];
const misses = [];
for (const [pkg, s] of [...perPackage].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`${pkg.padEnd(12)}${pct(s.lines)}${pct(s.branches).padStart(10)}${pct(s.functions).padStart(11)}${pct(s.statements).padStart(12)}`);
  for (const [metric, min] of Object.entries(gates[pkg] ?? {})) {
    if (s[metric].pct < min) failures.push(`${pkg} ${metric} ${s[metric].pct.toFixed(2)}% < ${min}%`);
  }
  for (const [metric, target] of Object.entries(targets[pkg] ?? {})) {
    if (s[metric].pct < target) misses.push(`${pkg} ${metric} ${s[metric].pct.toFixed(2)}% (target ${target}%)`);
  }
}
console.log(`report: ${relative(root, join(outDir, "index.html"))}`);
if (misses.length > 0) console.log(`below issue 22's targets (not yet gated at them): ${misses.join("; ")}`);
if (failures.length > 0) {
  console.error(`\ncoverage gate failed: ${failures.join("; ")}`);
  process.exit(1);
}
console.log("coverage gate met");
