import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EventWriter } from "../src/analytics/event-writer.js";
import { Chat, Event, Lead, LeadStage, Product, User } from "../src/models/index.js";
import { createApp } from "../src/server/app.js";
import { type Crm, openCrm } from "./harness.js";
import { analytics, pglite } from "./targets.js";

describe("analytics on chDB: events written by the server, dashboard figures [pglite + chdb]", () => {
  let crm: Crm;
  let sales = "";
  let admin = "";
  const id = { sales: 0, lead: 0, from: 0, to: 0, chat: 0, product: 0, partner: 0 };
  const month = new Date().toISOString().slice(0, 7);

  beforeAll(async () => {
    crm = await openCrm(await pglite.open("x"), analytics(`crm_analytics_${process.pid}`), { loginLimit: 1000 });
    [sales, admin] = [await crm.login("sales"), await crm.login("admin")];
    await crm.dbs.db.sudo(async () => {
      id.sales = (await User.query().filter({ login: "sales" }).get()).id;
      const stages = await LeadStage.search({ order: "sequence", fields: ["id"] });
      [id.from, id.to] = [stages[0]!.id, stages[2]!.id];
      const lead = await Lead.query().filter({ user_id: id.sales, stage_id: id.from }).orderBy("id").first();
      id.lead = lead!.id;
      id.partner = lead!.partner_id as number;
      id.chat = (await Chat.query().filter({ name: "Sam & Max" }).get()).id;
      id.product = (await Product.query().orderBy("id").first())!.id;
    });
    await crm.events.flush();
  });
  afterAll(() => crm?.close());

  const pipeline = async () =>
    (await crm.http("GET", "/api/dashboard/pipeline", undefined, admin)).body.data as {
      stage_id: number;
      leads: number;
      value: number;
    }[];
  const events = (filter: unknown[]) => Event.count({ filter: filter as never });

  test("a stage change writes one event and moves the lead between the pipeline's stages", async () => {
    const before = await pipeline();
    const revenue = Number(
      (await crm.dbs.db.sudo(() => Lead.get(id.lead, { fields: ["expected_revenue"] }))).expected_revenue,
    );
    const n = await events([
      ["kind", "=", "lead_stage"],
      ["lead_id", "=", id.lead],
    ]);
    const r = await crm.http("PATCH", `/auto/leads/${id.lead}`, { stage_id: id.to }, sales);
    expect(r.status).toBe(200);
    expect(await crm.events.flush()).toBe(true);
    expect(
      await events([
        ["kind", "=", "lead_stage"],
        ["lead_id", "=", id.lead],
      ]),
    ).toBe(n + 1);
    const last = await Event.query().filter({ kind: "lead_stage", lead_id: id.lead }).orderBy("-at", "-id").first();
    expect(last).toMatchObject({ stage_id: id.to, user_id: id.sales });
    const after = await pipeline();
    const at = (rows: typeof before, stage: number) =>
      rows.find((x) => x.stage_id === stage) as { leads: number; value: number };
    expect(at(after, id.from).leads).toBe(at(before, id.from).leads - 1);
    expect(at(after, id.to).leads).toBe(at(before, id.to).leads + 1);
    expect(at(after, id.to).value).toBeCloseTo(at(before, id.to).value + revenue, 2);
    // an update that leaves the stage alone writes nothing
    await crm.http("PATCH", `/auto/leads/${id.lead}`, { priority: "3" }, sales);
    await crm.events.flush();
    expect(
      await events([
        ["kind", "=", "lead_stage"],
        ["lead_id", "=", id.lead],
      ]),
    ).toBe(n + 1);
  });

  test("confirming a sale sets its total from the lines and adds to this month's won revenue; the API refuses the server's fields", async () => {
    const revenue = async () =>
      (
        (await crm.http("GET", "/api/dashboard/won-revenue", undefined, admin)).body.data as {
          month: string;
          revenue: number;
        }[]
      ).find((r) => r.month === month)?.revenue ?? 0;
    const before = await revenue();
    const lines = [
      { product_id: id.product, quantity: "3", price_unit: "19.99", discount: "5" },
      { product_id: id.product, quantity: "1.5", price_unit: "100", discount: "0" },
    ];
    const made = await crm.http(
      "POST",
      "/auto/sales",
      { name: "SO-TEST", partner_id: id.partner, user_id: id.sales, line_ids: { create: lines } },
      sales,
    );
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const forged = await crm.http(
      "PATCH",
      `/auto/sales/${made.body.id}`,
      { state: "confirmed", amount_total: "1000000" },
      sales,
    );
    expect(forged.status).toBe(400);
    expect(forged.body.error.details.field).toBe("state");
    const read = await crm.http(
      "GET",
      `/auto/sale_lines?filter=${encodeURIComponent(JSON.stringify([["sale_id", "=", made.body.id]]))}&order=id`,
      undefined,
      sales,
    );
    expect(read.body.data.map((l: { subtotal: string }) => l.subtotal)).toEqual(["54.97", "150.00"]);
    const confirmed = await crm.http("POST", `/api/sales/${made.body.id}/confirm`, {}, sales);
    expect(confirmed.body.data).toEqual({ id: made.body.id, state: "confirmed", amount_total: "204.97" });
    expect((await crm.http("POST", `/api/sales/${made.body.id}/confirm`, {}, sales)).status).toBe(409);
    await crm.events.flush();
    expect(await revenue()).toBeCloseTo(before + 204.97, 2);
  });

  test("a message and a login are events too; messages per day counts it", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const perDay = async () =>
      (
        (await crm.http("GET", "/api/dashboard/messages", undefined, admin)).body.data as {
          day: string;
          messages: number;
        }[]
      ).find((d) => d.day === today)?.messages ?? 0;
    const before = await perDay();
    const logins = await events([
      ["kind", "=", "login"],
      ["user_id", "=", id.sales],
    ]);
    const posted = await crm.http(
      "POST",
      "/auto/chat_messages",
      { chat_id: id.chat, author_id: id.sales, body: "hello from the test" },
      sales,
    );
    expect(posted.status).toBe(201);
    await crm.login("sales");
    await crm.events.flush();
    expect(await perDay()).toBe(before + 1);
    expect(
      await events([
        ["kind", "=", "login"],
        ["user_id", "=", id.sales],
      ]),
    ).toBe(logins + 1);
    const all = await crm.http("GET", `/api/dashboard?from=${today}&to=${today}`, undefined, sales);
    expect(Object.keys(all.body.data).sort()).toEqual(["activity", "funnel", "messages", "pipeline", "won-revenue"]);
    expect(all.body.data.activity.every((r: { user_id: number }) => r.user_id === id.sales)).toBe(true);
    expect((await crm.http("GET", "/api/dashboard?from=2026-02-30", undefined, sales)).status).toBe(400);
    // a team filter narrows the figures to that team's leads
    const teams = await crm.dbs.db.sudo(
      async () =>
        (await User.search({ filter: [["login", "=", "sales"]], fields: ["team_ids"] }))[0]?.team_ids as number[],
    );
    const team = (await crm.http("GET", `/api/dashboard/pipeline?team_id=${teams[0]}`, undefined, admin)).body.data as {
      leads: number;
    }[];
    const teamLeads = await crm.dbs.db.sudo(() => Lead.count({ filter: [["team_id", "=", teams[0] as number]] }));
    expect(team.reduce((s, r) => s + r.leads, 0)).toBe(teamLeads);
    expect(teamLeads).toBeLessThan(await crm.dbs.db.sudo(() => Lead.count()));
  });

  test("a failing ClickHouse write is logged and retried; the request that caused it still succeeds", async () => {
    const logged: string[] = [];
    let failures = 2;
    const writer = new EventWriter({
      delayMs: 0,
      retryMs: 20,
      log: (m) => logged.push(m),
      write: async (rows) => {
        if (failures-- > 0) throw new Error("ClickHouse is down");
        await Event.createMany(rows as never);
      },
    });
    const { app } = createApp({ db: crm.dbs.db, analytics: crm.dbs.analytics, events: writer, log: () => {} });
    const before = await events([
      ["kind", "=", "login"],
      ["user_id", "=", id.sales],
    ]);
    const res = await app.request("/api/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ login: "sales", password: "sales" }),
    });
    expect(res.status).toBe(200);
    await expect.poll(() => writer.written, { timeout: 5000, interval: 20 }).toBe(1);
    expect(logged.length).toBe(2);
    expect(logged[0]).toMatch(/failed \(attempt 1\); retrying/);
    expect(
      await events([
        ["kind", "=", "login"],
        ["user_id", "=", id.sales],
      ]),
    ).toBe(before + 1);
    await writer.close();
  });
});
