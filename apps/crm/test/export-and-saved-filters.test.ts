import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { installAccess } from "../src/access-setup.js";
import { Lead, Partner, User, access } from "../src/models/index.js";
import { csvCell, csvDecimal } from "../src/server/csv.js";
import { type Crm, openCrm } from "./harness.js";
import { analytics, pglite } from "./targets.js";

const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));

/** CSV text as rows of cells (RFC 4180, every cell quoted), without the BOM. */
async function parseCsv(res: Response): Promise<string[][]> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  const rows: string[][] = [];
  const cell = /"((?:[^"]|"")*)"(,|\r\n)/gy;
  let row: string[] = [];
  cell.lastIndex = 1;
  for (let m = cell.exec(text); m; m = cell.exec(text)) {
    row.push((m[1] as string).replace(/""/g, '"'));
    if (m[2] === "\r\n") {
      rows.push(row);
      row = [];
    }
  }
  expect(cell.lastIndex === 0 || cell.lastIndex === text.length).toBe(true);
  return rows;
}

describe("saved filters and CSV export [pglite]", () => {
  let crm: Crm;
  const t = { sales: "", sales2: "", viewer: "", admin: "" };
  const id = { sales: 0, sales2: 0, stage: 0, partner: 0 };

  beforeAll(async () => {
    crm = await openCrm(await pglite.open("x"), analytics(`crm_export_${process.pid}`), {
      loginLimit: 1000,
      exportMaxRows: 300,
    });
    for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] = await crm.login(k);
    await crm.dbs.db.sudo(async () => {
      for (const u of await User.search({ filter: [["login", "in", ["sales", "sales2"]]], fields: ["login"] }))
        id[u.login as "sales"] = u.id;
      id.partner = await Partner.create({ name: '=HYPERLINK("http://evil.example","x")', is_company: true });
      id.stage = (await Lead.query().only("stage_id").first())?.stage_id as number;
      await Lead.create({
        name: "Export probe, with comma",
        stage_id: id.stage,
        user_id: id.sales,
        partner_id: id.partner,
        expected_revenue: "-12.50",
        description: 'line one\n"quoted"',
      });
      await Lead.create({
        name: "Export probe of sales2",
        stage_id: id.stage,
        user_id: id.sales2,
        partner_id: id.partner,
      });
    });
  }, 120_000);
  afterAll(() => crm?.close());

  test("a saved filter is its owner's alone: others neither list, read, change nor delete it, nor save one under another's name", async () => {
    const conditions = [{ field: "name", op: "ilike", value: "acme" }];
    const made = await crm.http(
      "POST",
      "/auto/saved_filters",
      { name: "Acme leads", model: "leads", conditions, user_id: id.sales },
      t.sales,
    );
    expect(made.status).toBe(201);
    const mine = await crm.http(
      "GET",
      `/auto/saved_filters?filter=${q([["model", "=", "leads"]])}&fields=name,conditions`,
      undefined,
      t.sales,
    );
    expect(mine.body.data).toEqual([{ id: made.body.id, name: "Acme leads", conditions }]);

    const theirs = await crm.http("GET", "/auto/saved_filters", undefined, t.sales2);
    expect(theirs.body.total).toBe(0);
    expect((await crm.http("GET", `/auto/saved_filters/${made.body.id}`, undefined, t.sales2)).status).toBe(404);
    expect(
      (await crm.http("PATCH", `/auto/saved_filters/${made.body.id}`, { name: "stolen" }, t.sales2)).status,
    ).toBeGreaterThanOrEqual(403);
    expect(
      (await crm.http("DELETE", `/auto/saved_filters/${made.body.id}`, undefined, t.sales2)).status,
    ).toBeGreaterThanOrEqual(403);
    const forged = await crm.http(
      "POST",
      "/auto/saved_filters",
      { name: "planted", model: "leads", conditions, user_id: id.sales },
      t.sales2,
    );
    expect(forged.status).toBe(403);
    // nor give one away
    const given = await crm.http("PATCH", `/auto/saved_filters/${made.body.id}`, { user_id: id.sales2 }, t.sales);
    expect([403, 404]).toContain(given.status);
    expect(
      (await crm.http("GET", `/auto/saved_filters/${made.body.id}?fields=name,user_id`, undefined, t.sales)).body.data,
    ).toMatchObject({ name: "Acme leads", user_id: id.sales });

    // a viewer writes no business record but keeps their own filters
    const viewerId = (await crm.http("GET", "/api/me", undefined, t.viewer)).body.data.id as number;
    expect(
      (
        await crm.http(
          "POST",
          "/auto/saved_filters",
          { name: "v", model: "leads", conditions: [], user_id: viewerId },
          t.viewer,
        )
      ).status,
    ).toBe(201);
    expect((await crm.http("DELETE", `/auto/saved_filters/${made.body.id}`, undefined, t.sales)).status).toBe(204);
  });

  test("a database made before saved filters gets their rights and rule on the next start, once", async () => {
    const db = crm.dbs.db;
    const count = () =>
      db.sudo(
        async () =>
          (await access.AccessList.count({ filter: [["model", "=", "saved_filters"]] })) +
          (await access.Rule.count({ filter: [["model", "=", "saved_filters"]] })),
      );
    const before = await count();
    expect(before).toBeGreaterThan(0);
    await db.sudo(async () => {
      await access.AccessList.query().filter({ model: "saved_filters" }).delete();
      await access.Rule.query().filter({ model: "saved_filters" }).delete();
    });
    expect(await installAccess(db)).toBe(false);
    expect(await count()).toBe(before);
    expect(await installAccess(db)).toBe(false);
    expect(await count()).toBe(before);
  });

  test("CSV export: the session's records only, names for many2one, commas, quotes and newlines quoted, formulas defused", async () => {
    const res = await crm.app.request(
      `/api/export/leads?fields=name,partner_id,expected_revenue,description&filter=${q([["name", "ilike", "Export probe"]])}&order=name`,
      {
        headers: { authorization: `Bearer ${t.sales}` },
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="leads-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = await parseCsv(res);
    expect(rows).toEqual([
      ["name", "Company", "expected_revenue", "description"],
      ["Export probe, with comma", `'=HYPERLINK("http://evil.example","x")`, "-12.50", 'line one\n"quoted"'],
    ]);
  });

  test("CSV export matches the list: same filter, same count, every row the session may read", async () => {
    const filter = [["stage_id", "=", id.stage]];
    const list = await crm.http("GET", `/auto/leads?fields=name&filter=${q(filter)}&limit=1`, undefined, t.sales);
    const res = await crm.app.request(
      `/api/export/leads?fields=id,name,user_id&filter=${q(filter)}&order=id&sort=desc`,
      { headers: { authorization: `Bearer ${t.sales}` } },
    );
    const rows = (await parseCsv(res)).slice(1);
    expect(rows.length).toBe(list.body.total);
    expect(res.headers.get("x-total-count")).toBe(String(list.body.total));
    const ids = rows.map((r) => Number(r[0]));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(rows.every((r) => r[2] === "Sam Sales" || r[2] === "")).toBe(true);
  });

  test("CSV export refuses before the first byte: no session, hidden models, private or unknown fields, x2many, bad filters, no right, too many rows", async () => {
    const get = async (path: string, token?: string): Promise<{ status: number; body: any }> => {
      const res = await crm.app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      return {
        status: res.status,
        body: (res.headers.get("content-type") ?? "").includes("json") ? await res.json() : await res.text(),
      };
    };
    expect((await get("/api/export/leads")).status).toBe(401);
    expect((await get("/api/export/sessions", t.admin)).status).toBe(404);
    expect((await get("/api/export/nope", t.admin)).status).toBe(404);
    const priv = await get("/api/export/users?fields=login,password_hash", t.admin);
    expect(priv).toMatchObject({ status: 400, body: { error: { details: { field: "password_hash" } } } });
    expect((await get("/api/export/leads?fields=tag_ids", t.sales)).body.error.message).toContain("many2many");
    const byHidden = await get(`/api/export/users?filter=${q([["password_hash", "ilike", "scrypt"]])}`, t.admin);
    expect(byHidden.status).toBe(400);
    expect(byHidden.body.error.message).toContain("password_hash");
    expect((await get("/api/export/leads?filter=%5Bnot-json", t.sales)).body.error.details.field).toBe("filter");
    expect((await get("/api/export/leads?order=password_hash", t.sales)).status).toBe(400);
    expect((await get("/api/export/leads?sort=sideways", t.sales)).status).toBe(400);
    // a salesperson has no right on the access rules
    expect((await get("/api/export/rules", t.sales)).status).toBe(403);
    // an admin sees every lead: more than this server's bound of 300
    const big = await get("/api/export/leads?fields=name", t.admin);
    expect(big.status).toBe(400);
    expect(big.body.error.message).toMatch(/matches \d+ records; export at most 300/);
  });

  test("CSV cells: formulas, tabs and full-width signs are defused; numbers, decimals and booleans are not", () => {
    expect(csvCell("=1+2")).toBe(`"'=1+2"`);
    expect(csvCell("+1")).toBe(`"'+1"`);
    expect(csvCell("-1")).toBe(`"'-1"`);
    expect(csvCell("@SUM(A1)")).toBe(`"'@SUM(A1)"`);
    expect(csvCell("\tcmd")).toBe(`"'\tcmd"`);
    expect(csvCell("\uFF1D1+1")).toBe(`"'\uFF1D1+1"`);
    expect(csvCell('say "hi"')).toBe(`"say ""hi"""`);
    expect(csvCell(-3)).toBe(`"-3"`);
    expect(csvCell(false)).toBe(`"false"`);
    expect(csvCell(null)).toBe(`""`);
    expect(csvCell({ a: "=x" })).toBe(`"{""a"":""=x""}"`);
    expect(csvDecimal("-12.50")).toBe(`"-12.50"`);
    expect(csvDecimal("-1+cmd")).toBe(`"'-1+cmd"`);
  });
});
