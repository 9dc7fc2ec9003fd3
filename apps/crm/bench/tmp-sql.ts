import pg from "pg";
const orig = pg.Client.prototype.query;
let on = false;
(pg.Client.prototype as any).query = function (this: unknown, ...args: any[]) {
  if (on) { const a = args[0]; console.log("SQL:", typeof a === "string" ? a : a?.text, JSON.stringify(typeof a === "string" ? args[1] : a?.values)); }
  return (orig as any).apply(this, args);
};
const { EventWriter } = await import("../src/analytics/event-writer.js");
const { analyticsAdapter, openDatabases, recordsAdapter } = await import("../src/databases.js");
const { createApp } = await import("../src/server/app.js");
const dbs = await openDatabases(recordsAdapter({ DATABASE_URL: "postgres://postgres@127.0.0.1:5432/crm_tail_bench", DATA_DIR: "/tmp/crm-cpu-bench" }), analyticsAdapter({ CLICKHOUSE_DATABASE: "crm", DATA_DIR: "/tmp/crm-cpu-bench" }));
const events = new EventWriter();
const { app } = createApp({ db: dbs.db, analytics: dbs.analytics, events, log: () => {} });
const nested = encodeURIComponent(JSON.stringify({ partner_id: ["name"], stage_id: ["name"], user_id: ["name"] }));
const page = `/auto/leads?limit=20&order=id&sort=desc&fields=name,expected_revenue,probability,partner_id,stage_id,user_id&nested=${nested}`;
for (const user of ["sales", "admin"]) {
  const r = await app.request("/api/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ login: user, password: user }) });
  const token = ((await r.json()) as { token: string }).token;
  await app.request(page, { headers: { authorization: `Bearer ${token}` } });
  on = true; console.log("=== " + user);
  const res = await app.request(page, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.text(); console.log(res.status, body.length, body.slice(0, 300));
  on = false;
}
await events.close(); await dbs.close();
