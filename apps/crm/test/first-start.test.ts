import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";

const app = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Starts the CRM as `pnpm crm` does (tsx src/main.ts) and waits for its banner (URL to the last line). */
async function start(dataDir: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: app,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      SEED_SIZE: "small",
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: "",
      CLICKHOUSE_URL: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/\S+)[\s\S]*try: curl.*\n/.exec(out);
      if (m) {
        clearInterval(timer);
        resolveUrl(m[1] as string);
      }
    }, 50);
    child.once("exit", (code) => {
      clearInterval(timer);
      reject(new Error(`the CRM exited with ${code} before listening:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  child.kill("SIGTERM");
  return exited;
}

async function counts(url: string): Promise<{ leads: number; messages: number; users: number; pipeline: number }> {
  const login = await fetch(`${url}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ login: "admin", password: "admin" }),
  });
  const { token } = (await login.json()) as { token: string };
  const get = async (path: string) =>
    (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
  const pipeline = (await get("/api/dashboard/pipeline")).data as { leads: number }[];
  return {
    leads: (await get("/auto/leads?limit=1&fields=id")).total,
    messages: (await get("/auto/chat_messages?limit=1&fields=id")).total,
    users: (await get("/auto/users?limit=1&fields=id")).total,
    pipeline: pipeline.reduce((s, r) => s + r.leads, 0),
  };
}

describe("pnpm crm: the first start creates and seeds the embedded databases, the next one reuses them", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "crm-first-start-"));
  const running: ChildProcess[] = [];
  afterAll(() => {
    for (const c of running) if (c.exitCode === null) c.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("seed small on the first start; same rows, no re-seed, on the second; graceful stop both times", async () => {
    const first = await start(dataDir);
    running.push(first.child);
    expect(first.output()).toContain("first run: seeding the small demo data set");
    expect(first.output()).toMatch(/admin\s+admin/);
    const seeded = await counts(first.url);
    expect(seeded).toMatchObject({ leads: 400, messages: 800, users: 8, pipeline: 400 });
    expect(await stop(first.child)).toBe(0);
    expect(first.output()).toContain("stopped");

    const second = await start(dataDir);
    running.push(second.child);
    expect(second.output()).not.toContain("seeding");
    expect(await counts(second.url)).toEqual(seeded);
    expect(await stop(second.child)).toBe(0);
  });

  test("a bad variable stops the start with a message naming it", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: app,
      env: { ...process.env, PORT: "http", DATA_DIR: dataDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(1);
    expect(err).toContain('PORT="http": must be a number');
  });
});
