import { preset } from "@dotorm/vitest-preset";
import { defineConfig } from "vitest/config";

/** core's unit tests for `pnpm test:mutation`: no type tests (Stryker mutates runtime code), no coverage. */
export default defineConfig({
  ...preset,
  test: { ...preset.test, typecheck: { enabled: false }, coverage: { enabled: false } },
});
