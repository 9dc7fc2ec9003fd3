import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const example = fileURLToPath(new URL("../src/readme-example.ts", import.meta.url));

/** The first ```ts block after the README's "## The quick example" heading. */
async function readmeBlock(): Promise<string> {
  const readme = await readFile(root("README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## The quick example"));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README.md has no ```ts block under "## The quick example"');
  return match[1];
}

test("the README's quick example is apps/demo/src/readme-example.ts, character for character", async () => {
  expect(await readmeBlock()).toBe(await readFile(example, "utf8"));
});

test("the quick example runs as printed, prints its results and exits by itself", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", example], { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  let lastOutput = Date.now();
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    lastOutput = Date.now();
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(killer);
  expect(code).toBe(0);
  expect(stdout.trim().split("\n")).toEqual(["Ann", "[ 'General' ]", "0"]);
  // db.close() releases everything: no idle pool or engine timer keeps the process alive afterwards
  expect(Date.now() - lastOutput).toBeLessThan(3_000);
}, 90_000);
