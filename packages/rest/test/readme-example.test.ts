import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { format } from "node:util";
import { expect, test, vi } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));

test("the README's example runs and prints what its comments say", async () => {
  const readme = readFileSync(join(here, "../README.md"), "utf8");
  const block = /<!-- readme-example -->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const expected = [...(block as string).matchAll(/\/\/ -> (.*)$/gm)].map((m) => m[1]);
  expect(expected.length).toBe(4);
  const dir = mkdtempSync(join(here, ".readme-"));
  const file = join(dir, "example.ts");
  writeFileSync(file, block as string);
  const printed: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void printed.push(format(...args)));
  try {
    await import(file);
  } finally {
    spy.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
  expect(printed).toEqual(expected);
}, 120_000); // PGlite can take long to start on a loaded machine
