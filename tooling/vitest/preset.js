import { existsSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Workspace packages resolve to their sources in tests, so a test never depends on (or races
 * with) another package's `dist` being rebuilt.
 */
const alias = Object.fromEntries(
  ["core", "postgres", "mysql", "clickhouse", "rest", "cli"]
    .map((name) => [`@dotorm/${name}`, resolve(root, `packages/${name}/src/index.ts`)])
    .filter(([, file]) => existsSync(file)),
);

/**
 * Coverage of every package's sources (not only the package under test: the adapters' runs cover
 * core), on when `DOTORM_COVERAGE=1` (`pnpm test` sets it). Each package writes
 * `coverage/raw/<package>/coverage-final.json` at the repository root; `tooling/coverage-gate/merge.mjs`
 * merges them into one report and gates it.
 */
const adapters = ["postgres", "mysql", "clickhouse"];
/**
 * What a package's run measures: its own sources and those its tests load (a file outside the
 * package that its run never loads cannot be read by the provider, and is measured by its own run).
 */
const measured = { core: [], postgres: ["core"], mysql: ["core"], clickhouse: ["core"], rest: ["core", ...adapters], cli: ["core", ...adapters] };
const here = basename(process.cwd());
const coverage = {
  // the apps' runs are not measured (they would need the provider too, and add time, not insight)
  enabled: process.env.DOTORM_COVERAGE === "1" && basename(dirname(process.cwd())) === "packages",
  provider: "v8",
  allowExternal: true,
  include: [here, ...(measured[here] ?? [])].map((name) => `${root}/packages/${name}/src/**/*.ts`),
  exclude: ["**/*.test.ts", "**/*.test-d.ts", "**/*.d.ts", "**/node_modules/**", "**/dist/**"],
  reporter: [["json", { file: "coverage-final.json" }]],
  reportsDirectory: resolve(root, "coverage/raw", here),
  reportOnFailure: true,
};

/**
 * Shared vitest settings: bounded parallelism (the CI machine has two cores) and type tests
 * (`*.test-d.ts`) checked by the compiler alongside the runtime tests.
 */
export const preset = {
  resolve: { alias },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    // generous: these bound a hang, not a speed (a loaded two-core machine runs embedded engines slowly)
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // `expect.poll` waits for a page or a server to settle; vitest's 1 s default fails a loaded CI
    // machine whose browser has not yet loaded the page (as Playwright's own 15 s default allows)
    expect: { poll: { timeout: 15_000 } },
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts", "src/**/*.test-d.ts"] },
    coverage,
  },
};
