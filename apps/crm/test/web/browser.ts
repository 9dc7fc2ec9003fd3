import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AxeBuilder } from "@axe-core/playwright";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";

export const appDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Screenshots land here (ignored by git). */
export const shots = join(appDir, "test-output", "web");

/** Debian's chromium, or CHROMIUM_PATH. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(
    (p): p is string => !!p,
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no chromium found (tried ${candidates.join(", ")}): apt-get install -y chromium`);
  return found;
}

/** A CRM started as `pnpm crm` starts it, on fresh embedded databases seeded small, serving the built UI. */
export interface RunningCrm {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startCrm(): Promise<RunningCrm> {
  if (!existsSync(join(appDir, "dist/web/index.html")))
    throw new Error("the web UI is not built: run pnpm --filter crm build");
  const dataDir = mkdtempSync(join(tmpdir(), "crm-web-"));
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: appDir,
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
  const url = await new Promise<string>((ok, fail) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearInterval(timer);
        ok(m[1] as string);
      }
    }, 50);
    child.once("exit", (code) => {
      clearInterval(timer);
      fail(new Error(`the CRM exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    url,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 12_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Headless chromium without the sandbox (containers). */
export async function launch(): Promise<Browser> {
  mkdirSync(shots, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

/** A fresh browser context (own cookies) at a viewport. */
export async function context(
  browser: Browser,
  baseURL: string,
  viewport = { width: 1280, height: 800 },
): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL, viewport, locale: "en-US", timezoneId: "Europe/Berlin" });
  ctx.setDefaultTimeout(15_000);
  return ctx;
}

/** Logs in through the login page and waits for the header to show the user. */
export async function login(page: Page, who: string): Promise<void> {
  await page.goto("/login");
  await page.locator("input[name=login]").fill(who);
  await page.locator("input[name=password]").fill(who);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByTestId("user-name").waitFor();
}

/** Serious and critical axe violations on the page, as readable lines (empty when none). */
export async function axeProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} (${v.nodes
          .map((n) => n.target.join(" "))
          .slice(0, 3)
          .join("; ")})`,
    );
}

/** Saves a full-page screenshot as test-output/web/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}
