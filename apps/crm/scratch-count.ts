import pg from "pg";
import { postgres } from "@dotorm/postgres";
import { clickhouse } from "@dotorm/clickhouse";
import { openDatabases } from "./src/databases.js";
import { createApp } from "./src/server/app.js";
import { EventWriter } from "./src/analytics/event-writer.js";
const log: string[] = [];
const orig = pg.Client.prototype.query;
(pg.Client.prototype as any).query = function (q: any, ...rest: any[]) { log.push(typeof q === "string" ? q : q.text); return (orig as any).call(this, q, ...rest); };
const dbs = await openDatabases(postgres({ url: "postgres://postgres@127.0.0.1:5432/crm_bench_crm" }), clickhouse({ embedded: "/tmp/crmtools/ch" }));
const { app } = createApp({ db: dbs.db, analytics: dbs.analytics, events: new EventWriter() });
const r = await app.request("/api/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ login: "sales", password: "sales" }) });
const { token } = (await r.json()) as { token: string };
const nested = encodeURIComponent(JSON.stringify({ partner_id: ["name"], stage_id: ["name"], user_id: ["name"] }));
const page = `/auto/leads?limit=20&order=id&sort=desc&fields=name,expected_revenue,probability,partner_id,stage_id,user_id&nested=${nested}`;
for (let i = 0; i < 2; i++) { log.length = 0; const res = await app.request(page, { headers: { authorization: `Bearer ${token}` } }); const body = await res.text(); console.log(res.status, body.length, body.slice(0, 300)); console.log(log.join("\n---\n")); }
await dbs.close(); process.exit(0);
