import type { ConformanceTarget } from "@dotorm/testkit";
import fc from "fast-check";
import { expect, test } from "vitest";
import { crud } from "../../src/index.js";
import { Line, Note, User, restOptions, restSuite } from "../fixtures.js";

const forged = { kind: "cmp", field: { column: "id", kind: "integer" }, op: "IS NULL) OR (1=1) OR (t0.id =", value: 0 };
const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));
/** encodeURIComponent, except that a lone surrogate is sent as the bytes a careless client would send for it. */
const encode = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return "%ED%A0%80";
  }
};

/** Hostile requests an outsider would send: every one is refused with a 4xx JSON error before the ORM, and nothing changes. */
export function attackRoutes(target: ConformanceTarget) {
  return restSuite("rest attacks", target, (ctx) => {
    const s = { alice: 0, bob: 0, a1: 0, b1: 0 };
    const A = () => ({ "x-user": String(s.alice) });
    const snapshot = () =>
      ctx().sudo(async () =>
        JSON.stringify([
          await Note.search({ order: "id" }),
          await Line.search({ order: "id" }),
          await User.search({ order: "id" }),
        ]),
      );
    const bobsRows = () =>
      ctx().sudo(async () => JSON.stringify(await Note.search({ filter: [["owner_id", "=", s.bob]], order: "id" })));
    const refused = async (method: string, path: string, body?: unknown, status = 400) => {
      const r = await ctx().http(method, path, body, A());
      expect(r.status, `${method} ${path} ${JSON.stringify(r.body)}`).toBe(status);
      expect(r.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      return r;
    };

    test("setup", async () => {
      await ctx().sudo(async () => {
        s.alice = await User.create({ name: "Alice", login: "alice" });
        s.bob = await User.create({ name: "Bob", login: "bob" });
        s.a1 = await Note.create({ title: "alice", owner_id: s.alice, amount: "1" });
        s.b1 = await Note.create({ title: "bob", owner_id: s.bob, amount: "100" });
        await Line.create({ note_id: s.b1, text: "b" });
      });
      expect(s.b1).toBeGreaterThan(0);
    });

    test("forged internal filter nodes in bulk bodies, search bodies and query strings are refused as malformed, and nothing changes", async () => {
      const before = await snapshot();
      await refused("DELETE", "/auto/notes", { ids: forged });
      await refused("DELETE", "/auto/notes", { ids: [forged] });
      await refused("PATCH", "/auto/notes", { ids: forged, values: { title: "x" } });
      await refused("DELETE", "/auto/notes", { ids: [["id", ">", 0]] });
      await refused("DELETE", "/auto/notes", { filter: [["id", ">", 0]] });
      await refused("POST", "/auto/notes/search", { filter: forged });
      await refused("POST", "/auto/notes/search", { filter: [forged] });
      await refused("POST", "/auto/notes/search", { filter: [["id", "=", forged]] });
      await refused("GET", `/auto/notes?filter=${q([forged])}`);
      await refused("POST", "/auto/notes/aggregate", { filter: [forged], aggregate: { n: ["id", "count"] } });
      await refused("POST", "/auto/notes", { title: "x", owner_id: s.alice, lines: { update: forged } });
      expect(await snapshot()).toBe(before);
    });

    test("__proto__ keys anywhere in a body or JSON parameter are refused, and no prototype is polluted", async () => {
      const before = await snapshot();
      const raw = (text: string, method = "POST", path = "/auto/notes") => ctx().http(method, path, text, A());
      for (const r of [
        await raw(`{"title":"p","owner_id":${s.alice},"__proto__":{"polluted":true}}`),
        await raw(`{"title":"p","owner_id":${s.alice},"data":{"__proto__":{"polluted":true}}}`),
        await raw(`{"filter":[],"nested":{"__proto__":{"polluted":true}}}`, "POST", "/auto/notes/search"),
        await raw(`{"ids":[${s.a1}],"values":{"__proto__":{"title":"x"}}}`, "PATCH", "/auto/notes"),
        await ctx().http(
          "GET",
          `/auto/notes?nested=${encodeURIComponent('{"__proto__":{"owner_id":true}}')}`,
          undefined,
          A(),
        ),
      ]) {
        expect(r.status, JSON.stringify(r.body)).toBe(400);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(
        await refused("POST", "/auto/notes", { title: "c", owner_id: s.alice, constructor: { prototype: {} } }),
      ).toBeDefined();
      expect(await snapshot()).toBe(before);
    });

    test("huge, negative and non-numeric limits, offsets, sizes and id lists are 400s naming the parameter", async () => {
      for (const path of [
        "/auto/notes?limit=1000000",
        "/auto/notes?limit=99999999999999999999",
        "/auto/notes?limit=-1",
        "/auto/notes?limit=1e3",
        "/auto/notes?size=51",
        "/auto/notes?offset=abc",
        "/auto/notes/name_search?limit=51",
        "/auto/notes?limit=2&size=2",
      ]) {
        await refused("GET", path);
      }
      for (const body of [
        { limit: 51 },
        { limit: 1e300 },
        { limit: -5 },
        { limit: "10" },
        { offset: 2 ** 60 },
        { limit: 1.5 },
      ])
        await refused("POST", "/auto/notes/search", body);
      const ok = await ctx().http("GET", "/auto/notes?offset=999999999999999", undefined, A());
      expect(ok.status).toBe(200);
      expect(ok.body.data).toEqual([]);
      const tooMany = await refused("DELETE", "/auto/notes", { ids: Array.from({ length: 51 }, (_, i) => i + 1) });
      expect(tooMany.body.error.details.field).toBe("ids");
      await refused("DELETE", "/auto/notes", { ids: [0] });
      await refused("DELETE", "/auto/notes", { ids: [2 ** 53] });
      await refused("DELETE", "/auto/notes", { ids: ["1"] });
      await refused("DELETE", "/auto/notes", { ids: [] });
    });

    test("nesting deeper than the limit, and JSON deeper than 32 levels, are refused", async () => {
      const deep = {
        lines: { nested: { note_id: { nested: { lines: { nested: { note_id: { nested: { owner_id: true } } } } } } } },
      };
      await refused("GET", `/auto/notes?nested=${q(deep)}`);
      await refused("POST", "/auto/notes/search", { nested: deep });
      let filter: unknown = ["id", "=", 1];
      for (let i = 0; i < 40; i++) filter = [filter];
      await refused("POST", "/auto/notes/search", { filter });
      await refused("GET", `/auto/notes?filter=${q(filter)}`);
    });

    test("SQL in names, operators, order and cursors is refused; SQL in values is only data", async () => {
      for (const path of [
        "/auto/notes?order=id;drop table notes",
        "/auto/notes?order=(select 1)",
        "/auto/notes?order=id desc nulls first",
        "/auto/notes?fields=id,(select 1)",
        `/auto/notes?filter=${q([["title) or (1=1", "=", "x"]])}`,
        `/auto/notes?filter=${q([["title", "= 1 or 1=1 --", "x"]])}`,
        `/auto/notes?filter=${q([["title", "=", "x"], "or 1=1", ["id", "=", 1]])}`,
        `/auto/notes?after=${Buffer.from("null").toString("base64url")}`,
        `/auto/notes?after=${Buffer.from('{"k":["id"],"v":[{"kind":"raw"}]}').toString("base64url")}`,
        "/auto/notes?after=not-a-cursor",
        "/auto/notes?sort=desc;--",
        "/auto/notes/1 or 1=1",
        "/auto/notes/0x10",
      ]) {
        await refused("GET", path);
      }
      const data = await ctx().http("GET", `/auto/notes?filter=${q([["title", "=", "x' OR '1'='1"]])}`, undefined, A());
      expect(data.body).toEqual({ data: [], total: 0 });
    });

    test("NUL, lone surrogates, invalid UTF-8 and wrong types are 400s, never stored", async () => {
      const before = await snapshot();
      await refused("POST", "/auto/notes", { title: "a\u0000b", owner_id: s.alice });
      await refused("POST", "/auto/notes", { title: "ok", owner_id: s.alice, data: { k: "\u0000" } });
      await refused("POST", "/auto/notes", `{"title":"\\ud800","owner_id":${s.alice}}`);
      await refused(
        "POST",
        "/auto/notes",
        new Uint8Array([...Buffer.from('{"title":"'), 0xff, 0xfe, ...Buffer.from(`","owner_id":${s.alice}}`)]),
      );
      await refused("GET", "/auto/notes?fields=%FF");
      await refused("GET", "/auto/notes?fields=title&fields=id");
      for (const body of [
        [],
        "x",
        1,
        null,
        { title: ["x"], owner_id: s.alice },
        { title: "x", owner_id: s.alice, amount: {} },
        { title: "x", owner_id: { id: s.bob } },
      ]) {
        await refused("POST", "/auto/notes", body);
      }
      expect(await snapshot()).toBe(before);
    });

    test("every request is bounded in time (504 JSON), and a server fault is a 500 with a request id and no internals", async () => {
      const slow = crud(ctx().db, {
        ...restOptions,
        timeoutMs: 50,
        session: () => new Promise((resolve) => setTimeout(() => resolve(undefined), 400)),
      });
      const late = await slow.request("/auto/notes");
      expect(late.status).toBe(504);
      expect(await late.json()).toMatchObject({ error: { code: "TIMEOUT" } });
      const faults: string[] = [];
      const broken = crud(ctx().db, {
        session: () => {
          throw new Error("boom in /srv/app/session.ts: select * from sessions");
        },
        onError: (_e, id) => faults.push(id),
      });
      const r = await broken.request("/auto/notes");
      expect(r.status).toBe(500);
      const text = await r.text();
      expect(text).not.toMatch(/boom|select|session\.ts|at /);
      const body = JSON.parse(text);
      expect(body).toEqual({
        error: {
          code: "INTERNAL_ERROR",
          message: expect.any(String),
          details: { requestId: r.headers.get("x-request-id") },
        },
      });
      expect(faults).toEqual([body.error.details.requestId]);
    });

    test("models switched off by options: read-only models refuse writes (405), unexposed ones do not exist (404)", async () => {
      const app = crud(ctx().db, {
        ...restOptions,
        models: { notes: { write: false }, users: false, note_lines: true, tags: true },
      });
      const h = { "x-user": String(s.alice), "content-type": "application/json" };
      expect((await app.request("/auto/notes", { headers: h })).status).toBe(200);
      expect(
        (
          await app.request("/auto/notes", {
            method: "POST",
            headers: h,
            body: JSON.stringify({ title: "x", owner_id: s.alice }),
          })
        ).status,
      ).toBe(405);
      expect((await app.request("/auto/users", { headers: h })).status).toBe(404);
      const doc = (await (await app.request("/auto/openapi.json")).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      expect(doc.paths["/auto/users"]).toBeUndefined();
      expect(Object.keys(doc.paths["/auto/notes"] ?? {})).toEqual(["get"]);
      expect(await ctx().sudo(() => Note.count({ filter: [["title", "=", "x"]] }))).toBe(0);
    });

    test("property: random hostile query strings and bodies never give a 5xx, a refused request changes nothing, and another user's rows never change", async () => {
      const bob = await bobsRows();
      const hostileText = fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom(
          "__proto__",
          "constructor",
          "\u0000",
          "\ud800",
          "' OR 1=1 --",
          "1e309",
          "-1",
          "9".repeat(30),
          "%FF",
          "%",
          "null",
          "[]",
          "{}",
          "id desc, (select 1)",
          "amount",
          "secret",
          "owner_id.password_hash",
        ),
      );
      const value = fc.letrec((tie) => ({
        v: fc.oneof(
          { depthSize: "small" },
          hostileText,
          fc.integer(),
          fc.double(),
          fc.constantFrom(1e308, -0, 2 ** 53 + 1, true, false, null),
          fc.array(tie("v"), { maxLength: 4 }),
          fc.dictionary(hostileText, tie("v"), { maxKeys: 4 }),
        ),
      })).v;
      const key = fc.constantFrom(
        "fields",
        "filter",
        "nested",
        "order",
        "sort",
        "limit",
        "offset",
        "after",
        "size",
        "q",
        "__proto__",
        "ids",
        "values",
        "title",
      );
      const query = fc
        .array(
          fc.tuple(
            key,
            fc.oneof(
              hostileText,
              value.map((v) => JSON.stringify(v) ?? ""),
            ),
          ),
          { maxLength: 4 },
        )
        .map((pairs) => pairs.map(([k, v]) => `${k}=${encode(v)}`).join("&"));
      const body = fc.oneof(
        value.map((v) => JSON.stringify(v) ?? "null"),
        fc.record({ ids: value, values: value }).map((o) => JSON.stringify(o)),
        fc
          .record({ filter: value, fields: value, nested: value, limit: value }, { requiredKeys: [] })
          .map((o) => JSON.stringify(o)),
        fc
          .record({ title: value, owner_id: value, lines: value, tag_ids: value, data: value }, { requiredKeys: [] })
          .map((o) => JSON.stringify(o)),
        fc.constantFrom('{"__proto__":{"x":1}}', '{"title":"x",', "\u0000", `{"ids":${JSON.stringify(forged)}}`),
      );
      const path = fc.constantFrom(
        "/auto/notes",
        "/auto/notes/search",
        "/auto/notes/aggregate",
        "/auto/notes/name_search",
        "/auto/note_lines",
        `/auto/notes/${s.b1}`,
        `/auto/notes/${s.a1}`,
        `/auto/notes/${s.b1}/lines`,
        "/auto/notes/fields",
        "/auto/nope",
        "/auto/notes/-1",
      );
      const method = fc.constantFrom("GET", "POST", "PATCH", "DELETE");
      await fc.assert(
        fc.asyncProperty(method, path, query, body, async (m, p, qs, b) => {
          const before = await snapshot();
          const r = await ctx().http(m, `${p}?${qs}`, m === "GET" ? undefined : b, A());
          expect(r.status, `${m} ${p}?${qs} ${b} -> ${JSON.stringify(r.body)}`).toBeLessThan(500);
          if (r.status >= 400) {
            expect(r.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
            expect(await snapshot()).toBe(before);
          }
          expect(await bobsRows()).toBe(bob);
        }),
        { numRuns: 60, seed: 20261130 },
      );
    });
  });
}
