import { preset } from "@dotorm/vitest-preset";
import { defineConfig } from "vitest/config";

/**
 * core's unit tests for `pnpm test:mutation`: no type tests (Stryker mutates runtime code), no
 * coverage, one thread without isolation (each mutant reruns the covering tests; startup dominates).
 */
export default defineConfig({
  ...preset,
  test: { ...preset.test, typecheck: { enabled: false }, coverage: { enabled: false }, pool: "threads", isolate: false, fileParallelism: false, maxWorkers: 1 },
});
