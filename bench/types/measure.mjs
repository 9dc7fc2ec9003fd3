#!/usr/bin/env node
/**
 * Type-checks types/ten-models.ts (ten related models and the calls an application makes) with
 * `tsc --extendedDiagnostics` and prints its check time next to the target, best of three runs.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const tsc = join(here, "..", "node_modules", "typescript", "bin", "tsc");
const target = 1.5;
const runs = [];
for (let i = 0; i < 3; i++) {
  const out = execFileSync(process.execPath, [tsc, "-p", join(here, "tsconfig.json"), "--extendedDiagnostics"], { encoding: "utf8" });
  const seconds = (label) => Number(new RegExp(`^${label}:\\s+([\\d.]+)s`, "m").exec(out)?.[1]);
  runs.push({ check: seconds("Check time"), total: seconds("Total time"), types: Number(/^Types:\s+(\d+)/m.exec(out)?.[1]) });
}
const best = runs.reduce((a, b) => (b.check < a.check ? b : a));
console.log(`ten-models.ts: check ${best.check.toFixed(2)} s, total ${best.total.toFixed(2)} s, ${best.types} types (best of 3) | target: check under ${target} s`);
process.exit(best.check < target ? 0 : 1);
