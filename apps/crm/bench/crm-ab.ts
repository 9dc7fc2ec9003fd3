/**
 * `pnpm --filter crm bench:ab`: the leads list page's CPU per request of two checkouts' servers in
 * one process (`app.request`, 50 requests in flight), in alternating rounds, so that the load of a
 * shared machine moves both alike; prints per role the medians and the median of the per-round
 * paired ratios B/A. On the large seed of `pnpm --filter crm bench` (run that once first).
 * CRM_AB_A and CRM_AB_B: the two apps/crm directories (B defaults to this one); CRM_AB_ROUNDS (10),
 * CRM_AB_REQUESTS (1000 per side and round); CRM_BENCH_DB as for the bench.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// as deployed (the bench runs its server so): no N+1 scope per request
process.env.NODE_ENV ??= "production";
const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dirs = { A: process.env.CRM_AB_A, B: process.env.CRM_AB_B ?? here };
if (!dirs.A) throw new Error("set CRM_AB_A to the apps/crm directory of the build to compare with");
const database = process.env.CRM_BENCH_DB ?? "crm_bench_crm";
const pgUrl = new URL(process.env.DOTORM_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test");
pgUrl.pathname = `/${database}`;
const rounds = Number(process.env.CRM_AB_ROUNDS ?? 10);
const requests = Number(process.env.CRM_AB_REQUESTS ?? 1000);
const inFlight = 50;

interface Side {
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** The server of the checkout in `dir`, on the bench database (its own packages: models bind to one core). */
async function open(dir: string, side: string): Promise<Side> {
  const load = <T>(path: string): Promise<T> => import(pathToFileURL(resolve(dir, path)).href) as Promise<T>;
  const { EventWriter } = await load<typeof import("../src/analytics/event-writer.js")>("src/analytics/event-writer.ts");
  const dbs = await load<typeof import("../src/databases.js")>("src/databases.ts");
  const { createApp } = await load<typeof import("../src/server/app.js")>("src/server/app.ts");
  const opened = await dbs.openDatabases(
    dbs.recordsAdapter({ DATABASE_URL: pgUrl.toString(), DATA_DIR: "/tmp/crm-ab-bench" }),
    // chDB binds one data directory per process: both sides use it, each with a database of its own
    dbs.analyticsAdapter({ CLICKHOUSE_DATABASE: `crm_${side}`, DATA_DIR: "/tmp/crm-ab-bench" }),
  );
  const events = new EventWriter();
  const { app } = createApp({ db: opened.db, analytics: opened.analytics, events, log: () => {} });
  return {
    request: (path, init) => Promise.resolve(app.request(path, init)),
    close: async () => {
      await events.close();
      await opened.close();
    },
  };
}

async function login(side: Side, user: string): Promise<string> {
  const r = await side.request("/api/login", {
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
async function measure(side: Side, token: string, n: number): Promise<number> {
  const headers = { authorization: `Bearer ${token}` };
  let next = 0;
  const worker = async () => {
    while (next++ < n) {
      const r = await side.request(page, { headers });
      if (r.status !== 200) throw new Error(`${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    }
  };
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const sides = { A: await open(dirs.A, "a"), B: await open(dirs.B, "b") };
try {
  for (const user of ["sales", "admin"]) {
    const tokens = { A: await login(sides.A, user), B: await login(sides.B, user) };
    for (const k of ["A", "B"] as const) await measure(sides[k], tokens[k], requests); // warm-up
    const cpu = { A: [] as number[], B: [] as number[] };
    const ratios: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // the order alternates too, so neither side always follows the other's garbage
      const order = i % 2 === 0 ? (["A", "B"] as const) : (["B", "A"] as const);
      for (const k of order) cpu[k].push(await measure(sides[k], tokens[k], requests));
      ratios.push((cpu.B[i] as number) / (cpu.A[i] as number));
    }
    console.log(
      `${user}: A ${Math.round(median(cpu.A))} µs/request, B ${Math.round(median(cpu.B))} µs/request, B/A ${median(ratios).toFixed(3)} (rounds ${ratios.map((r) => r.toFixed(2)).join(" ")})`,
    );
  }
} finally {
  await sides.A.close();
  await sides.B.close();
}
