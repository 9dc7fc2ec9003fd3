import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { apiTypes, apiTypesFile } from "../../scripts/api-types-gen.js";

test("the web UI's generated API types match the server's OpenAPI document (run pnpm --filter crm api-types when this fails)", async () => {
  const generated = await apiTypes();
  expect(generated).toContain("Leads: {");
  expect(readFileSync(apiTypesFile, "utf8") === generated).toBe(true);
});
