import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect as tcp } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, test } from "vitest";
import { startServer } from "./start-server.js";

const demo = fileURLToPath(new URL("..", import.meta.url));
const readmePath = fileURLToPath(new URL("../../../README.md", import.meta.url));

/** The ```<lang> blocks of the README's "### The same models as a REST API" section, in order. */
async function restSection(): Promise<{ ts: string; sh: string }> {
  const readme = await readFile(readmePath, "utf8");
  const start = readme.indexOf("### The same models as a REST API");
  if (start < 0) throw new Error('README.md has no "### The same models as a REST API" section');
  const section = readme.slice(start, readme.indexOf("\n### ", start + 4));
  const ts = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const sh = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!ts || !sh) throw new Error("the REST section needs a ```ts and a ```sh block");
  return { ts, sh };
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = tcp({ host: "127.0.0.1", port });
    socket.once("connect", () => resolve(!socket.destroy()));
    socket.once("error", () => resolve(true));
  });

let stop: (() => void) | undefined;
let dir: string | undefined;
afterAll(async () => {
  stop?.();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("the README's REST quick start runs as printed at the end of the quick example, and curl gets what it shows", async () => {
  const { ts, sh } = await restSection();
  expect(ts.trim().split("\n")).toHaveLength(5);
  const example = await readFile(join(demo, "src/readme-example.ts"), "utf8");
  expect(example.endsWith("await db.close();\n")).toBe(true);
  const program = example.slice(0, -"await db.close();\n".length) + ts;

  // The code listens on 127.0.0.1:3000 as printed: wait for another run of this test to let go of it.
  for (let i = 0; i < 120 && !(await portFree(3000)); i++) await new Promise((r) => setTimeout(r, 500));
  expect(await portFree(3000), "port 3000 stayed busy for a minute").toBe(true);

  dir = await mkdtemp(join(demo, "test/.readme-rest-"));
  const file = join(dir, "example.ts");
  await writeFile(file, program);
  const server = await startServer(file);
  stop = () => server.child.kill("SIGKILL");
  expect(server.base).toBe("http://127.0.0.1:3000");
  expect(server.output()).toContain("REST API on http://127.0.0.1:3000/auto, docs at http://127.0.0.1:3000/auto/docs");
  // printed right after serve() is called, maybe before the socket listens
  for (let i = 0; i < 100 && (await portFree(3000)); i++) await new Promise((r) => setTimeout(r, 100));

  const [command, comment] = sh.trim().split("\n") as [string, string];
  const url = /^curl '([^']+)'$/.exec(command)?.[1];
  expect(url).toBeDefined();
  const answer = await fetch(url as string);
  expect(answer.status).toBe(200);
  expect(`# ${await answer.text()}`).toBe(comment);
  const docs = await fetch("http://127.0.0.1:3000/auto/docs");
  expect(docs.status).toBe(200);

  server.child.kill("SIGTERM");
  await once(server.child, "exit");
  stop = undefined;
}, 150_000);
