/**
 * `pnpm --filter crm bench`: the CRM's hot paths under autocannon (50 connections): the leads
 * list page (20 rows with partner, stage and salesperson names, as a salesperson and as an admin)
 * and the dashboard's pipeline aggregate on ClickHouse. The server runs in its own process on a
 * PostgreSQL server database (seeded once with the large set: 10,000 leads, a year of events).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import pg from "pg";

// CRM_BENCH_APP runs another checkout's server with this script (A/B of two builds with the same measure)
const app = resolve(process.env.CRM_BENCH_APP ?? resolve(dirname(fileURLToPath(import.meta.url)), ".."));
const pgUrl = new URL(process.env.DOTORM_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test");
const database = process.env.CRM_BENCH_DB ?? "crm_bench_crm";
const seconds = Number(process.env.CRM_BENCH_SECONDS ?? 10);
const connections = Number(process.env.CRM_BENCH_CONNECTIONS ?? 50);
// unmeasured load before each run, so that the first run does not pay the server's JIT warm-up alone
const warmup = Number(process.env.CRM_BENCH_WARMUP ?? 3);
// CRM_BENCH_ONLY=salesperson runs only the rows whose title contains it (e.g. to profile one page)
const only = process.env.CRM_BENCH_ONLY ?? "";
const dataDir = resolve(app, "../../.data/crm-bench");

async function ensureDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: pgUrl.toString() });
  await admin.connect();
  try {
    const exists = await admin.query("select 1 from pg_database where datname = $1", [database]);
    if (exists.rowCount === 0) await admin.query(`create database "${database}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(pgUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function startServer(url: string): Promise<{ child: ChildProcess; base: string }> {
  mkdirSync(dataDir, { recursive: true });
  // CRM_BENCH_NODE_ARGS adds flags to the server's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
  const nodeArgs = (process.env.CRM_BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
  // as `pnpm start` runs it: a 32 MB young generation (the default 16 MB made the list page spend ~10% more CPU, mostly in scavenges)
  const child = spawn(process.execPath, ["--max-semi-space-size=32", ...nodeArgs, "--import", "tsx", "src/main.ts"], {
    cwd: app,
    // as deployed (the REST bench does the same): NODE_ENV=production turns off crud()'s N+1 scope per request
    env: { ...process.env, NODE_ENV: "production", DATABASE_URL: url, DATA_DIR: dataDir, SEED_SIZE: "large", PORT: "0", HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const base = await new Promise<string>((ok, fail) => {
    child.stdout?.on("data", (d: Buffer) => {
      process.stdout.write(d);
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1] as string);
    });
    child.once("exit", (code) => fail(new Error(`the server exited with ${code}`)));
  });
  return { child, base };
}

async function login(base: string, user: string): Promise<string> {
  const r = await fetch(`${base}/api/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ login: user, password: user }) });
  if (!r.ok) throw new Error(`login ${user}: ${r.status}`);
  return ((await r.json()) as { token: string }).token;
}

/** The server process's CPU time so far (user + system, µs), from /proc (Linux; 0 elsewhere). */
function serverCpuMicros(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; clock ticks of 10 ms
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
}

/**
 * CPU time so far (µs) of the PostgreSQL backends serving the bench database (the server runs on
 * this machine and shares its cores, so its CPU per request counts as much as the Node server's).
 */
async function databaseCpuMicros(): Promise<number> {
  const admin = new pg.Client({ connectionString: pgUrl.toString() });
  await admin.connect();
  try {
    const { rows } = await admin.query("select pid from pg_stat_activity where datname = $1", [database]);
    return rows.reduce((sum: number, r: { pid: number }) => sum + serverCpuMicros(r.pid), 0);
  } finally {
    await admin.end();
  }
}

async function run(title: string, url: string, token: string, pid: number | undefined) {
  if (!title.includes(only)) return undefined;
  const check = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!check.ok) throw new Error(`${title}: ${check.status} ${await check.text()}`);
  if (warmup > 0) await autocannon({ url, connections, duration: warmup, headers: { authorization: `Bearer ${token}` } });
  const [cpuBefore, dbBefore] = [serverCpuMicros(pid), await databaseCpuMicros()];
  if (process.env.TAIL_USR2) process.kill(pid as number, "SIGUSR2");
  const result = await autocannon({ url, connections, duration: seconds, headers: { authorization: `Bearer ${token}` } });
  if (process.env.TAIL_USR2) process.kill(pid as number, "SIGUSR2");
  const requests = Math.max(1, result.requests.total);
  const cpuPerRequest = (serverCpuMicros(pid) - cpuBefore) / requests;
  // the pool's connections stay open between the two readings (a backend that ended in between is not counted)
  const dbPerRequest = ((await databaseCpuMicros()) - dbBefore) / requests;
  const errors = result.errors + result.non2xx + result.timeouts;
  return { title, "req/s": Math.round(result.requests.average), "p50 ms": result.latency.p50, "p99 ms": result.latency.p99, "max ms": result.latency.max, "server CPU µs/req": Math.round(cpuPerRequest), "PG CPU µs/req": Math.round(dbPerRequest), errors };
}

const url = await ensureDatabase();
const { child, base } = await startServer(url);
try {
  const [sales, admin] = [await login(base, "sales"), await login(base, "admin")];
  const nested = encodeURIComponent(JSON.stringify({ partner_id: ["name"], stage_id: ["name"], user_id: ["name"] }));
  const page = `${base}/auto/leads?limit=20&order=id&sort=desc&fields=name,expected_revenue,probability,partner_id,stage_id,user_id&nested=${nested}`;
  const rows = [];
  for (let i = 0; i < Number(process.env.TAIL_REPEAT ?? 1); i++) rows.push(
    await run("leads list page (salesperson, record rules)", page, sales, child.pid),
    await run("leads list page (admin, all 10,000 leads)", page, admin, child.pid));
  rows.push(
    await run("dashboard pipeline on chDB (admin, a year of events)", `${base}/api/dashboard/pipeline`, admin, child.pid),
  );
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(`\n${connections} connections, ${seconds} s each (after ${warmup} s unmeasured), Node ${process.version}, load ${load}`);
  console.table(rows.filter((r) => r !== undefined));
} finally {
  child.kill("SIGTERM");
}
