import type { ConformanceTarget } from "@dotorm/testkit";
import { expect, test } from "vitest";
import { Line, Note, Tag, User, restSuite } from "../fixtures.js";
import type { Reply } from "../fixtures.js";

const missing = 987_654_321;

/** Two replies that must not tell a hidden record from a missing one: same status, same body once the ids are aligned. */
function expectSame(hidden: Reply, absent: Reply, hiddenId: number) {
  expect(hidden.status).toBe(absent.status);
  expect(JSON.stringify(hidden.body).replaceAll(String(hiddenId), "ID")).toBe(
    JSON.stringify(absent.body).replaceAll(String(missing), "ID"),
  );
}

/** Two users with record and field rules: each sees and writes only their own, through every route. */
export function accessRoutes(target: ConformanceTarget) {
  return restSuite(
    "rest access",
    target,
    (ctx) => {
      const s = { alice: 0, bob: 0, a1: 0, a2: 0, b1: 0, al: 0, bl: 0 };
      const A = () => ({ "x-user": String(s.alice) });
      const B = () => ({ "x-user": `${s.bob},manager` });
      const get = (path: string, h = A()) => ctx().http("GET", path, undefined, h);
      const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));
      const snapshot = () =>
        ctx().sudo(async () =>
          JSON.stringify([
            await Note.search({ order: "id", fields: ["title", "amount", "body", "owner_id"] }),
            await Line.search({ order: "id" }),
          ]),
        );

      test("setup: Alice (user) and Bob (manager) with notes and lines", async () => {
        await ctx().sudo(async () => {
          s.alice = await User.create({ name: "Alice", login: "alice", password_hash: "pa" });
          s.bob = await User.create({ name: "Bob", login: "bob", password_hash: "pb" });
          s.a1 = await Note.create({ title: "shared word a1", owner_id: s.alice, amount: "10", secret: "sa" });
          s.a2 = await Note.create({ title: "alice two", owner_id: s.alice, amount: "20" });
          s.b1 = await Note.create({ title: "shared word b1", owner_id: s.bob, amount: "100", secret: "sb" });
          s.al = await Line.create({ note_id: s.a1, text: "a-line", qty: 1 });
          s.bl = await Line.create({ note_id: s.b1, text: "b-line", qty: 2 });
          await Tag.create({ name: "t" });
        });
        expect(s.b1).toBeGreaterThan(0);
      });

      test("list and search: only the session's rows, total included; denied fields left out of default output", async () => {
        const list = await get("/auto/notes");
        expect(list.status).toBe(200);
        expect(list.body.total).toBe(2);
        expect(list.body.data.map((n: { id: number }) => n.id).sort()).toEqual([s.a1, s.a2].sort());
        expect(list.body.data[0]).not.toHaveProperty("amount");
        expect(list.body.data[0]).not.toHaveProperty("secret");
        const search = await ctx().http("POST", "/auto/notes/search", { filter: [["title", "ilike", "shared"]] }, A());
        expect(search.body).toMatchObject({ total: 1, data: [{ id: s.a1 }] });
        const bobs = await get("/auto/notes", B());
        expect(bobs.body.total).toBe(1);
        expect(Number(bobs.body.data[0].amount)).toBe(100);
      });

      test("a full page counts its total under the same filter and the session's rule (one parse serves both)", async () => {
        const own = await get("/auto/notes?limit=1&order=id");
        expect(own.body).toMatchObject({ total: 2, data: [{ id: Math.min(s.a1, s.a2) }] });
        const shared = q([["title", "ilike", "shared"]]);
        expect((await get(`/auto/notes?limit=1&filter=${shared}`)).body).toMatchObject({
          total: 1,
          data: [{ id: s.a1 }],
        });
        expect((await get(`/auto/notes?limit=1&filter=${shared}`, B())).body).toMatchObject({
          total: 1,
          data: [{ id: s.b1 }],
        });
        const rel = await get(`/auto/notes/${s.a1}/lines?limit=1&filter=${q([["qty", ">=", 1]])}`);
        expect(rel.body).toMatchObject({ total: 1, data: [{ id: s.al }] });
        const hidden = await get(`/auto/notes?limit=1&filter=${q([["secret", "=", "sb"]])}`);
        expect(hidden.status).toBe(400);
        expect(hidden.body.error.message).toContain('unknown field "secret"');
      });

      test("get, PATCH and DELETE of another user's record read exactly like a missing one, and change nothing", async () => {
        const before = await snapshot();
        expectSame(await get(`/auto/notes/${s.b1}`), await get(`/auto/notes/${missing}`), s.b1);
        expectSame(
          await ctx().http("PATCH", `/auto/notes/${s.b1}`, { title: "taken" }, A()),
          await ctx().http("PATCH", `/auto/notes/${missing}`, { title: "taken" }, A()),
          s.b1,
        );
        expectSame(
          await ctx().http("DELETE", `/auto/notes/${s.b1}`, undefined, A()),
          await ctx().http("DELETE", `/auto/notes/${missing}`, undefined, A()),
          s.b1,
        );
        expectSame(await get(`/auto/notes/${s.b1}/lines`), await get(`/auto/notes/${missing}/lines`), s.b1);
        expect(await snapshot()).toBe(before);
      });

      test("bulk writes naming another user's record are a 404 like a missing id and change nothing (not even the session's own rows)", async () => {
        const before = await snapshot();
        const hidden = await ctx().http("PATCH", "/auto/notes", { ids: [s.a1, s.b1], values: { body: "x" } }, A());
        const absent = await ctx().http("PATCH", "/auto/notes", { ids: [s.a1, missing], values: { body: "x" } }, A());
        expectSame(hidden, absent, s.b1);
        expect(hidden.status).toBe(404);
        expectSame(
          await ctx().http("DELETE", "/auto/notes", { ids: [s.a1, s.b1] }, A()),
          await ctx().http("DELETE", "/auto/notes", { ids: [s.a1, missing] }, A()),
          s.b1,
        );
        expect(await snapshot()).toBe(before);
      });

      test("nested reads, relation pages, aggregates, name_search and keyset pages see only the session's rows", async () => {
        const lines = await get(`/auto/note_lines?nested=${q({ note_id: ["title"] })}`);
        expect(lines.body.total).toBe(1);
        expect(lines.body.data[0]).toMatchObject({ id: s.al, note_id: { id: s.a1, title: "shared word a1" } });
        const page = await get(`/auto/notes/${s.a1}/lines`);
        expect(page.body).toMatchObject({ total: 1, data: [{ id: s.al }] });
        const agg = await ctx().http(
          "POST",
          "/auto/notes/aggregate",
          { groupBy: ["owner_id"], aggregate: { n: ["id", "count"] } },
          A(),
        );
        expect(agg.body.data).toEqual([{ owner_id: s.alice, n: 2 }]);
        const names = await get("/auto/notes/name_search?q=shared");
        expect(names.body.data).toEqual([{ id: s.a1, name: "shared word a1" }]);
        const first = await get("/auto/notes?size=1&order=id");
        const second = await get(`/auto/notes?size=1&order=id&after=${first.body.cursor}`);
        expect([...first.body.data, ...second.body.data].map((n: { id: number }) => n.id)).toEqual([s.a1, s.a2]);
        expect(second.body.cursor).toBeNull();
        const users = await get(`/auto/users?fields=name`);
        expect(JSON.stringify(users.body)).not.toContain("password_hash");
      });

      test("a denied field cannot be read, filtered, ordered or aggregated, with an answer that does not depend on its values", async () => {
        const low = await get(`/auto/notes?filter=${q([["amount", ">", 5]])}`);
        const high = await get(`/auto/notes?filter=${q([["amount", ">", 500]])}`);
        expect(low.status).toBe(403);
        expect(high).toEqual({ ...low, headers: high.headers });
        expect(
          (await get(`/auto/notes?filter=${q([["owner_id.name", "=", "Bob"], "or", ["amount", "=", 100]])}`)).status,
        ).toBe(403);
        expect((await get("/auto/notes?order=amount")).status).toBe(403);
        expect((await get("/auto/notes?fields=title,amount")).status).toBe(403);
        expect((await get(`/auto/notes/${s.a1}?fields=amount`)).status).toBe(403);
        expect(
          (await ctx().http("POST", "/auto/notes/aggregate", { aggregate: { t: ["amount", "sum"] } }, A())).status,
        ).toBe(403);
        expect((await get(`/auto/note_lines?nested=${q({ note_id: ["amount"] })}`)).status).toBe(403);
      });

      test("a private field reads exactly like a field that does not exist: in filters, paths, order, fields, nested and aggregates", async () => {
        const pairs: [string, string][] = [
          [`/auto/notes?filter=${q([["secret", "=", "sa"]])}`, `/auto/notes?filter=${q([["nosuch", "=", "sa"]])}`],
          [
            `/auto/notes?filter=${q([["owner_id.password_hash", "=", "pa"]])}`,
            `/auto/notes?filter=${q([["owner_id.nosuch", "=", "pa"]])}`,
          ],
          ["/auto/notes?order=secret", "/auto/notes?order=nosuch"],
          ["/auto/notes?order=owner_id.password_hash%20desc", "/auto/notes?order=owner_id.nosuch%20desc"],
          ["/auto/notes?fields=secret", "/auto/notes?fields=nosuch"],
          [
            `/auto/notes?nested=${q({ owner_id: ["password_hash"] })}`,
            `/auto/notes?nested=${q({ owner_id: ["nosuch"] })}`,
          ],
        ];
        for (const [priv, none] of pairs) {
          const a = await get(priv, B());
          const b = await get(none, B());
          expect(a.status, priv).toBe(400);
          expect(b.status).toBe(400);
          expect(JSON.stringify(a.body).replace(/secret|password_hash/g, "F")).toBe(
            JSON.stringify(b.body).replace(/nosuch/g, "F"),
          );
        }
        const agg = await ctx().http("POST", "/auto/notes/aggregate", { aggregate: { n: ["secret", "count"] } }, B());
        expect(agg.status).toBe(400);
      });

      test("writes outside the rules are refused and change nothing", async () => {
        const before = await snapshot();
        const forBob = await ctx().http("POST", "/auto/notes", { title: "planted", owner_id: s.bob }, A());
        expect(forBob.status).toBe(403);
        expect(forBob.body).toMatchObject({ error: { code: "ACCESS_DENIED" } });
        expect(
          (await ctx().http("POST", "/auto/notes", { title: "rich", owner_id: s.alice, amount: "5" }, A())).status,
        ).toBe(403);
        expect((await ctx().http("PATCH", `/auto/notes/${s.a1}`, { amount: "5" }, A())).status).toBe(403);
        expect((await ctx().http("POST", "/auto/note_lines", { note_id: s.b1, text: "sneak" }, A())).status).toBe(403);
        const hijack = await ctx().http(
          "POST",
          "/auto/notes",
          { title: "lines", owner_id: s.alice, lines: { update: { [s.bl]: { text: "hijack" } } } },
          A(),
        );
        expect(hijack.body).toMatchObject({ error: { code: "VALIDATION_ERROR", details: { field: "lines" } } });
        expect((await ctx().http("POST", "/auto/users", { name: "Mallory" }, A())).status).toBe(403);
        if (ctx().db.adapter.capabilities.transactions) expect(await snapshot()).toBe(before);
        expect(await ctx().sudo(() => Note.count({ filter: [["title", "in", ["planted", "rich", "lines"]]] }))).toBe(
          ctx().db.adapter.capabilities.transactions ? 0 : 1,
        );
        expect(await ctx().sudo(() => Line.count({ filter: [["text", "in", ["sneak", "hijack"]]] }))).toBe(0);
      });

      test("no session: the checker decides (403 here); a malformed credential is a 401", async () => {
        const anon = await ctx().http("GET", "/auto/notes");
        expect(anon.status).toBe(403);
        const bad = await ctx().http("GET", "/auto/notes", undefined, { "x-user": "alice; drop" });
        expect(bad.status).toBe(401);
        expect(bad.body).toMatchObject({ error: { code: "UNAUTHORIZED" } });
      });
    },
    { models: { users: true, tags: true, note_lines: true, notes: { displayName: "title" } } },
  );
}
