import { preset } from "@dotorm/vitest-preset";
import { defineConfig } from "vitest/config";

export default defineConfig({
  ...preset,
  test: { ...preset.test, include: [...(preset.test?.include ?? []), "test/**/*.test.tsx"] },
});
