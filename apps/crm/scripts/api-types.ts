/**
 * Writes src/web/api/openapi.d.ts from the server's OpenAPI document; `--check` exits 1 when the
 * committed file is stale instead (a test does the same check in `pnpm test`).
 *
 * @example
 * pnpm --filter crm api-types          # regenerate
 * pnpm --filter crm api-types --check  # exit 1 when stale
 */
import { readFileSync, writeFileSync } from "node:fs";
import { apiTypes, apiTypesFile as target } from "./api-types-gen.js";

const generated = await apiTypes();
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // missing counts as stale
  }
  if (current !== generated) {
    console.error(`${target} is stale: run "pnpm --filter crm api-types" and commit it`);
    process.exit(1);
  }
  console.log("api types are up to date");
} else {
  writeFileSync(target, generated);
  console.log(`wrote ${target}`);
}
