/**
 * Shared vitest settings: bounded parallelism (the CI machine has two cores) and
 * type tests (`*.test-d.ts`) checked by the compiler alongside the runtime tests.
 */
export const preset = {
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts", "src/**/*.test-d.ts"] },
  },
};
