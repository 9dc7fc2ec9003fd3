import { createHook } from "node:async_hooks";
const { EventWriter } = await import("../src/analytics/event-writer.js");
const { analyticsAdapter, openDatabases, recordsAdapter } = await import("../src/databases.js");
const { createApp } = await import("../src/server/app.js");
const dbs = await openDatabases(recordsAdapter({ DATABASE_URL: "postgres://postgres@127.0.0.1:5432/crm_tail_bench", DATA_DIR: "/tmp/crm-cpu-bench" }), analyticsAdapter({ CLICKHOUSE_DATABASE: "crm", DATA_DIR: "/tmp/crm-cpu-bench" }));
const events = new EventWriter();
const { app } = createApp({ db: dbs.db, analytics: dbs.analytics, events, log: () => {} });
const nested = encodeURIComponent(JSON.stringify({ partner_id: ["name"], stage_id: ["name"], user_id: ["name"] }));
const page = `/auto/leads?limit=20&order=id&sort=desc&fields=name,expected_revenue,probability,partner_id,stage_id,user_id&nested=${nested}`;
const counts = new Map<string, number>(); let on = false;
const stacks = new Map<string, number>();
createHook({ init(_id, type) { if (!on) return; counts.set(type, (counts.get(type) ?? 0) + 1); if (type === "PROMISE" && process.env.STACKS) { const s = (new Error().stack ?? "").split("\n").slice(3, 9).map((l) => l.trim().replace(/\(.*\/(packages|node_modules|apps)\//, "($1/")).join(" | "); stacks.set(s, (stacks.get(s) ?? 0) + 1); } } }).enable();
for (const user of ["sales", "admin"]) {
  const r = await app.request("/api/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ login: user, password: user }) });
  const token = ((await r.json()) as { token: string }).token;
  for (let i = 0; i < 50; i++) await (await app.request(page, { headers: { authorization: `Bearer ${token}` } })).text();
  counts.clear(); stacks.clear(); on = true;
  const n = 100;
  for (let i = 0; i < n; i++) await (await app.request(page, { headers: { authorization: `Bearer ${token}` } })).text();
  on = false;
  console.log(user, [...counts].map(([k, v]) => `${k}=${(v / n).toFixed(1)}`).join(" "));
  if (process.env.STACKS) for (const [s, v] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log((v / n).toFixed(1), s);
}
await events.close(); await dbs.close();
