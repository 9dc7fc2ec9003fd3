import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Lead, LeadStage, Partner, User } from "../../src/models/index.js";
import { type Crm, openCrm } from "../harness.js";
import { type CrmTarget, analytics } from "../targets.js";

const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));

/**
 * The API end to end, per role, on one records database (analytics on chDB): what a salesperson,
 * a manager, a viewer and an admin can see and do through every read path.
 */
/** CI is on when `CI` is set to anything but "", "0" or "false" (`CI=false` is not CI). */
const onCI = () => !["", "0", "false"].includes((process.env.CI ?? "").trim().toLowerCase());

export async function apiRoles(target: CrmTarget) {
  const up = await target.available();
  if (!up && onCI()) {
    test(`${target.name} is reachable`, () => {
      throw new Error(`${target.name} is not reachable: CI requires every database suite to run`);
    });
    return;
  }
  describe.skipIf(!up)(`CRM API per role [${target.name}]`, () => {
    const ns = `crm_api_${target.name}_${process.pid}`;
    let crm: Crm;
    const t = { sales: "", sales2: "", manager: "", viewer: "", admin: "" };
    const id = { sales: 0, sales2: 0, manager: 0, stage: 0, partner: 0, mine: 0, theirs: 0, team2: 0 };

    beforeAll(async () => {
      crm = await openCrm(await target.open(ns), analytics(ns), { loginLimit: 1000 });
      for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] = await crm.login(k);
      await crm.dbs.db.sudo(async () => {
        const users = await User.search({
          filter: [["login", "in", ["sales", "sales2", "manager"]]],
          fields: ["login"],
        });
        for (const u of users) id[u.login as "sales"] = u.id;
        id.partner = (await Partner.create({ name: "Acme Test Partner", is_company: true })) as number;
        id.team2 = ((await User.get(id.sales2, { fields: ["team_ids"] })).team_ids as number[])[0] as number;
      });
    });
    afterAll(async () => {
      await crm?.close();
      await target.drop?.(ns);
    });

    test("a salesperson creates a lead and sees it; another salesperson's lead is invisible by get, list and search", async () => {
      const stages = await crm.http("GET", "/auto/lead_stages?order=sequence", undefined, t.sales);
      id.stage = stages.body.data[0].id;
      const made = await crm.http(
        "POST",
        "/auto/leads",
        {
          name: "Sam's own lead",
          stage_id: id.stage,
          user_id: id.sales,
          partner_id: id.partner,
          expected_revenue: "1200.50",
        },
        t.sales,
      );
      expect(made.status).toBe(201);
      id.mine = made.body.id;
      const theirs = await crm.http(
        "POST",
        "/auto/leads",
        {
          name: "Sasha's secret lead",
          stage_id: id.stage,
          user_id: id.sales2,
          team_id: id.team2,
          partner_id: id.partner,
          expected_revenue: "999",
        },
        t.sales2,
      );
      expect(theirs.status).toBe(201);
      id.theirs = theirs.body.id;

      const got = await crm.http("GET", `/auto/leads/${id.mine}?fields=name,expected_revenue`, undefined, t.sales);
      expect(got.body.data).toMatchObject({ id: id.mine, name: "Sam's own lead", expected_revenue: "1200.50" });
      expect((await crm.http("GET", `/auto/leads/${id.theirs}`, undefined, t.sales)).status).toBe(404);
      expect((await crm.http("GET", `/auto/leads/${id.mine}`, undefined, t.sales2)).status).toBe(404);

      const list = await crm.http("GET", "/auto/leads?fields=user_id&limit=500", undefined, t.sales);
      expect(list.status).toBe(200);
      const expected = await crm.dbs.db.sudo(() =>
        Lead.count({ filter: [["user_id", "=", id.sales], "or", ["user_id", "=", null]] }),
      );
      expect(list.body.total).toBe(expected);
      expect(
        list.body.data.every((l: { user_id: number | null }) => l.user_id === id.sales || l.user_id === null),
      ).toBe(true);
      const search = await crm.http("POST", "/auto/leads/search", { filter: [["name", "ilike", "secret"]] }, t.sales);
      expect(search.body).toMatchObject({ total: 0, data: [] });
      const byOwner = await crm.http(
        "GET",
        `/auto/leads?filter=${q([["user_id", "=", id.sales2]])}`,
        undefined,
        t.sales,
      );
      expect(byOwner.body.total).toBe(0);
    });

    test("nested reads from partners, dotted filters and aggregates do not reveal the other salesperson's lead", async () => {
      const partner = await crm.http(
        "GET",
        `/auto/partners/${id.partner}?fields=name,lead_ids&nested=${q({ lead_ids: ["name", "user_id"] })}`,
        undefined,
        t.sales,
      );
      expect(partner.status).toBe(200);
      expect(partner.body.data.lead_ids.map((l: { id: number }) => l.id)).toEqual([id.mine]);
      const dotted = await crm.http(
        "POST",
        "/auto/partners/search",
        { filter: [["lead_ids.name", "=", "Sasha's secret lead"]] },
        t.sales,
      );
      expect(dotted.body.total).toBe(0);
      const dottedMine = await crm.http(
        "POST",
        "/auto/partners/search",
        { filter: [["lead_ids.name", "=", "Sam's own lead"]] },
        t.sales,
      );
      expect(dottedMine.body.data.map((p: { id: number }) => p.id)).toEqual([id.partner]);
      // leads change only through /auto/leads (where stage changes become events), never through the partner
      const around = await crm.http(
        "PATCH",
        `/auto/partners/${id.partner}`,
        { lead_ids: { update: { [id.mine]: { stage_id: id.stage } } } },
        t.sales,
      );
      expect(around.status).toBe(400);
      expect(around.body.error.details.field).toBe("lead_ids");
      const agg = await crm.http(
        "POST",
        "/auto/leads/aggregate",
        {
          filter: [["partner_id", "=", id.partner]],
          aggregate: { n: ["id", "count"], revenue: ["expected_revenue", "sum"] },
        },
        t.sales,
      );
      expect(agg.status).toBe(200);
      expect(Number(agg.body.data[0].n)).toBe(1);
      expect(Number(agg.body.data[0].revenue)).toBe(1200.5);
      const byUser = await crm.http(
        "POST",
        "/auto/leads/aggregate",
        { groupBy: ["user_id"], aggregate: { n: ["id", "count"] } },
        t.sales,
      );
      expect(byUser.body.data.map((r: { user_id: number | null }) => r.user_id).sort()).toEqual(
        [id.sales, null].sort(),
      );
    });

    test("the dashboard counts a salesperson's own and unassigned leads only; the other's new lead does not move it", async () => {
      await crm.events.flush();
      const visible = await crm.dbs.db.sudo(() =>
        Lead.count({ filter: [["user_id", "=", id.sales], "or", ["user_id", "=", null]] }),
      );
      const pipeline = async (token: string) =>
        (await crm.http("GET", "/api/dashboard/pipeline", undefined, token)).body.data as {
          leads: number;
          value: number;
        }[];
      const mine = await pipeline(t.sales);
      expect(mine.reduce((s, r) => s + r.leads, 0)).toBe(visible);
      const before = JSON.stringify(mine);
      const stage = await crm.http(
        "POST",
        "/auto/leads",
        { name: "Another of Sasha's", stage_id: id.stage, user_id: id.sales2, expected_revenue: "5000" },
        t.sales2,
      );
      expect(stage.status).toBe(201);
      await crm.events.flush();
      expect(JSON.stringify(await pipeline(t.sales))).toBe(before);
      const all = await pipeline(t.admin);
      expect(all.reduce((s, r) => s + r.leads, 0)).toBe(await crm.dbs.db.sudo(() => Lead.count()));
    });

    test("the kanban board counts, sums and shows only the leads the user may read, per stage, newest first", async () => {
      type Column = {
        stage_id: number;
        n: number;
        total: string;
        cards: { id: number; stage_id: number; user_id: { id: number; name: string } | null }[];
      };
      const board = async (token: string, query = "") => crm.http("GET", `/api/kanban${query}`, undefined, token);
      const mine = (await board(t.sales, "?limit=2")).body.data as {
        stages: { id: number; sequence: number }[];
        columns: Column[];
      };
      const stages = await crm.dbs.db.sudo(() => LeadStage.search({ fields: ["sequence"], order: "sequence, id" }));
      expect(mine.stages.map((s) => s.id)).toEqual(stages.map((s) => s.id));
      for (const column of mine.columns) {
        const inStage = [
          ["stage_id", "=", column.stage_id],
          [["user_id", "=", id.sales], "or", ["user_id", "=", null]],
        ] as const;
        const expected = await crm.dbs.db.sudo(() =>
          Lead.search({ filter: inStage, fields: ["expected_revenue"], order: "id desc" }),
        );
        expect(column.n).toBe(expected.length);
        expect(Number(column.total)).toBeCloseTo(
          expected.reduce((sum, l) => sum + Number(l.expected_revenue ?? 0), 0),
          2,
        );
        expect(column.cards.map((c) => c.id)).toEqual(expected.slice(0, 2).map((l) => l.id));
        for (const card of column.cards) expect(card.user_id === null || card.user_id.id === id.sales).toBe(true);
      }
      expect(mine.columns.flatMap((c) => c.cards.map((x) => x.id))).not.toContain(id.theirs);
      const all = (await board(t.admin)).body.data as { columns: Column[] };
      expect(all.columns.reduce((sum, c) => sum + c.n, 0)).toBe(
        await crm.dbs.db.sudo(() => Lead.count({ filter: [["stage_id", "!=", null]] })),
      );
      for (const bad of ["?limit=0", "?limit=101", "?limit=abc", "?limit=1e2", "?stage=1", "?limit=2&limit=3"]) {
        const r = await board(t.sales, bad);
        expect(r.status, bad).toBe(400);
        expect(r.body.error.code).toBe("VALIDATION_ERROR");
      }
    });

    test("the manager sees the team's leads (and edits them); the salesperson cannot take a lead over", async () => {
      const list = await crm.http("GET", "/auto/leads?fields=id&limit=1", undefined, t.manager);
      const expected = await crm.dbs.db.sudo(async () => {
        const teams = (await User.get(id.manager, { fields: ["team_ids"] })).team_ids as number[];
        return Lead.count({
          filter: [["team_id", "in", teams], "or", ["user_id", "=", id.manager], "or", ["user_id", "=", null]],
        });
      });
      expect(list.body.total).toBe(expected);
      const theirs = await crm.http("PATCH", `/auto/leads/${id.theirs}`, { priority: "2" }, t.manager);
      expect(theirs.status, JSON.stringify(theirs.body)).toBe(200);
      const takeOver = await crm.http("PATCH", `/auto/leads/${id.mine}`, { user_id: id.sales2 }, t.sales);
      expect([403, 404]).toContain(takeOver.status); // the new owner's rules do not match: refused, nothing changed
      expect((await crm.dbs.db.sudo(() => Lead.get(id.mine, { fields: ["user_id"] }))).user_id).toBe(id.sales);
      expect((await crm.http("DELETE", `/auto/leads/${id.mine}`, undefined, t.sales)).status).toBe(403);
    });

    test("the viewer reads but cannot write anything", async () => {
      expect((await crm.http("GET", `/auto/leads/${id.mine}`, undefined, t.viewer)).status).toBe(200);
      expect((await crm.http("POST", "/auto/leads", { name: "x", stage_id: id.stage }, t.viewer)).status).toBe(403);
      expect((await crm.http("PATCH", `/auto/leads/${id.mine}`, { name: "y" }, t.viewer)).status).toBe(403);
      expect((await crm.http("DELETE", `/auto/leads/${id.mine}`, undefined, t.viewer)).status).toBe(403);
      expect((await crm.http("POST", "/auto/partners", { name: "p" }, t.viewer)).status).toBe(403);
      const got = await crm.http("GET", `/auto/leads/${id.mine}?fields=name`, undefined, t.viewer);
      expect(got.body.data.name).toBe("Sam's own lead");
    });

    test("nobody reads a password hash or a session token by any route, admins included", async () => {
      for (const token of [t.admin, t.sales, t.viewer]) {
        const replies = [
          await crm.http("GET", "/auto/users?limit=50", undefined, token),
          await crm.http("GET", `/auto/users/${id.sales}`, undefined, token),
          await crm.http("POST", "/auto/users/search", { fields: ["login"] }, token),
          await crm.http("GET", `/auto/leads/${id.mine}?nested=${q({ user_id: ["login"] })}`, undefined, token),
          await crm.http("GET", "/api/me", undefined, token),
        ];
        for (const r of replies) {
          expect(r.status).toBe(200);
          expect(JSON.stringify(r.body)).not.toMatch(/password|scrypt\$|token_hash/);
        }
        expect((await crm.http("GET", `/auto/users/${id.sales}?fields=password_hash`, undefined, token)).status).toBe(
          400,
        );
        expect(
          (await crm.http("POST", "/auto/users/search", { filter: [["password_hash", "like", "scrypt"]] }, token))
            .status,
        ).toBe(400);
        expect(
          (
            await crm.http(
              "GET",
              `/auto/leads/${id.mine}?nested=${q({ user_id: ["password_hash"] })}`,
              undefined,
              token,
            )
          ).status,
        ).toBe(400);
        expect((await crm.http("GET", "/auto/sessions", undefined, token)).status).toBe(404);
        expect((await crm.http("POST", "/auto/sessions/search", {}, token)).status).toBe(404);
      }
      const doc = await crm.http("GET", "/auto/openapi.json", undefined, t.admin);
      expect(JSON.stringify(doc.body)).not.toMatch(/password_hash|token_hash/);
    });

    test("without a session every route is 401 with one body shape", async () => {
      for (const [m, p] of [
        ["GET", "/auto/leads"],
        ["GET", "/api/me"],
        ["GET", "/api/dashboard"],
        ["GET", "/api/kanban"],
        ["POST", "/api/logout"],
      ] as const) {
        const r = await crm.http(m, p, m === "POST" ? {} : undefined);
        expect(r.status).toBe(401);
        expect(r.body.error.code).toBe("UNAUTHORIZED");
      }
    });
  });
}
