/**
 * `pnpm --filter crm bench:ui`: how fast the web UI shows data with the large seed (10,000 leads) on
 * embedded PGlite, measured in Debian's chromium through playwright-core: from the start of a
 * navigation to the leads list's first row (budget 1.5 s) and to the kanban's first card in every
 * stage column (budget 2 s), for a salesperson and for an administrator (who sees every lead).
 * The first start seeds `.data/crm-ui-bench` (minutes); later runs reuse it. `CRM_UI_RUNS` (default 5)
 * navigations per page; the median and the worst are reported; exits non-zero over budget.
 *
 * @example
 * pnpm --filter crm build && pnpm --filter crm bench:ui
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Page, chromium } from "playwright-core";
import { chromiumPath } from "../test/web/browser.js";

const app = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = resolve(app, "../../.data/crm-ui-bench");
const runs = Number(process.env.CRM_UI_RUNS ?? 5);
const budgets = { list: 1500, kanban: 2000 };

async function startServer(): Promise<{ child: ChildProcess; base: string }> {
  if (!existsSync(resolve(app, "dist/web/index.html"))) throw new Error("the web UI is not built: run pnpm --filter crm build");
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: app,
    env: { ...process.env, DATA_DIR: dataDir, SEED_SIZE: "large", PORT: "0", HOST: "127.0.0.1", DATABASE_URL: "", CLICKHOUSE_URL: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const base = await new Promise<string>((ok, fail) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1] as string);
    });
    child.once("exit", (code) => fail(new Error(`the server exited with ${code}:\n${out}`)));
  });
  return { child, base };
}

/** Milliseconds from the start of a navigation to `ready` being visible. */
async function timeTo(page: Page, path: string, ready: (p: Page) => Promise<unknown>): Promise<number> {
  await page.goto("about:blank");
  const start = Date.now();
  await page.goto(path);
  await ready(page);
  return Date.now() - start;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const { child, base } = await startServer();
const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
let over = false;
try {
  for (const who of ["sales", "admin"]) {
    const ctx = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    const login = await page.request.post("/api/login", { data: { login: who, password: who } });
    if (!login.ok()) throw new Error(`login ${who}: ${login.status()}`);
    const total = ((await (await page.request.get("/auto/leads?limit=1&fields=id")).json()) as { total: number }).total;
    const stages = ((await (await page.request.get("/auto/lead_stages?limit=50&fields=id")).json()) as { total: number }).total;
    const list: number[] = [];
    const kanban: number[] = [];
    for (let i = 0; i < runs; i++) {
      list.push(await timeTo(page, "/leads", (p) => p.locator("table tbody tr").first().waitFor()));
      kanban.push(
        await timeTo(page, "/kanban", (p) =>
          // the function runs in the page (a string, so this Node-typed file needs no DOM types)
          p.waitForFunction(`[...document.querySelectorAll("section[data-stage]")].filter((s) => s.querySelector('[data-testid="lead-card"]')).length >= ${stages}`, undefined, { timeout: 30_000 }),
        ),
      );
    }
    for (const [name, xs] of [["list", list], ["kanban", kanban]] as const) {
      const bad = median(xs) > budgets[name];
      over ||= bad;
      console.log(`${who.padEnd(6)} ${name.padEnd(7)} ${String(total).padStart(6)} leads visible   median ${String(median(xs)).padStart(5)} ms   worst ${String(Math.max(...xs)).padStart(5)} ms   first ${String(xs[0]).padStart(5)} ms   budget ${budgets[name]} ms${bad ? "   OVER" : ""}`);
    }
    await ctx.close();
  }
} finally {
  await browser.close();
  child.kill("SIGTERM");
}
if (over) process.exitCode = 1;
