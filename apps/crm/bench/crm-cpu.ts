/**
 * `pnpm --filter crm bench:cpu`: the leads list page's CPU per request inside the server process,
 * without HTTP (`app.request`), 50 requests in flight, on the large seed of `pnpm --filter crm bench`
 * (run that once first). On a shared machine this is steadier than autocannon's throughput: it
 * counts the process's own CPU time (`process.cpuUsage`), not what other processes leave it.
 * `app.request` builds undici's Request and Response, which the HTTP server does not: `/api/health`
 * is measured the same way, and the page's figure above it is the work the page adds.
 * CRM_CPU_REQUESTS (default 3000) per round, CRM_CPU_ROUNDS (default 3); prints each round and the median,
 * with the CPU the PostgreSQL backends spent per request (they share the machine's cores).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pg from "pg";

// CRM_BENCH_APP measures another checkout's server (A/B of two builds with the same measure)
const crmDir = resolve(process.env.CRM_BENCH_APP ?? resolve(dirname(fileURLToPath(import.meta.url)), ".."));
const load = <T>(path: string): Promise<T> => import(pathToFileURL(resolve(crmDir, path)).href) as Promise<T>;
const { EventWriter } = await load<typeof import("../src/analytics/event-writer.js")>("src/analytics/event-writer.ts");
const { analyticsAdapter, openDatabases, recordsAdapter } = await load<typeof import("../src/databases.js")>("src/databases.ts");
const { createApp } = await load<typeof import("../src/server/app.js")>("src/server/app.ts");

const adminUrl = process.env.DOTORM_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const database = process.env.CRM_BENCH_DB ?? "crm_bench_crm";
const pgUrl = new URL(adminUrl);
pgUrl.pathname = `/${database}`;
const requests = Number(process.env.CRM_CPU_REQUESTS ?? 3000);
const rounds = Number(process.env.CRM_CPU_ROUNDS ?? 3);
const inFlight = 50;

// the records database as the server opens it (its connection options included)
// (and the adapters of the measured checkout's own packages)
const records = recordsAdapter({ DATABASE_URL: pgUrl.toString(), DATA_DIR: "/tmp/crm-cpu-bench" });
const analytics = analyticsAdapter({ CLICKHOUSE_DATABASE: "crm", DATA_DIR: "/tmp/crm-cpu-bench" });
const dbs = await openDatabases(records, analytics);
const events = new EventWriter();
const { app } = createApp({ db: dbs.db, analytics: dbs.analytics, events, log: () => {} });

/** CPU time so far (µs) of the PostgreSQL backends serving the bench database (Linux /proc; 0 elsewhere). */
async function databaseCpuMicros(): Promise<number> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query("select pid from pg_stat_activity where datname = $1", [database]);
    let sum = 0;
    for (const { pid } of rows as { pid: number }[]) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
        sum += (Number(fields[11]) + Number(fields[12])) * 10_000;
      } catch {
        // a backend that ended meanwhile
      }
    }
    return sum;
  } finally {
    await admin.end();
  }
}

async function login(user: string): Promise<string> {
  const r = await app.request("/api/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ login: user, password: user }),
  });
  if (!r.ok) throw new Error(`login ${user}: ${r.status} (seed the bench database with \`pnpm --filter crm bench\`)`);
  return ((await r.json()) as { token: string }).token;
}

const nested = encodeURIComponent(JSON.stringify({ partner_id: ["name"], stage_id: ["name"], user_id: ["name"] }));
const page = `/auto/leads?limit=20&order=id&sort=desc&fields=name,expected_revenue,probability,partner_id,stage_id,user_id&nested=${nested}`;

/** µs of this process's CPU per request, `n` requests with `inFlight` at a time. */
async function measure(token: string, n: number, path = page): Promise<number> {
  const headers = { authorization: `Bearer ${token}` };
  let next = 0;
  const worker = async () => {
    while (next++ < n) {
      const r = await app.request(path, { headers });
      if (r.status !== 200) throw new Error(`${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    }
  };
  const [before, dbBefore] = [process.cpuUsage(), await databaseCpuMicros()];
  await Promise.all(Array.from({ length: inFlight }, worker));
  const used = process.cpuUsage(before);
  databaseCpu.push(((await databaseCpuMicros()) - dbBefore) / n);
  return (used.user + used.system) / n;
}

/** PostgreSQL's CPU per request of each measured round (clock ticks of 10 ms, so rounds of thousands). */
const databaseCpu: number[] = [];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
try {
  const base: number[] = [];
  await measure("", 1000, "/api/health");
  for (let i = 0; i < rounds; i++) base.push(await measure("", requests, "/api/health"));
  console.log(`/api/health (the harness's own cost): ${Math.round(median(base))} µs CPU/request`);
  for (const user of ["sales", "admin"]) {
    const token = await login(user);
    await measure(token, Math.max(500, requests / 4)); // warm-up
    const figures: number[] = [];
    databaseCpu.length = 0;
    for (let i = 0; i < rounds; i++) figures.push(await measure(token, requests));
    console.log(
      `leads list page as ${user}: ${Math.round(median(figures))} µs CPU/request, ${Math.round(median(figures) - median(base))} above /api/health (rounds ${figures.map(Math.round).join(", ")}); PostgreSQL ${Math.round(median(databaseCpu))} µs/request (rounds ${databaseCpu.map(Math.round).join(", ")})`,
    );
  }
} finally {
  await events.close();
  await dbs.close();
}
