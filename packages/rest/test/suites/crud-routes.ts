import type { ConformanceTarget } from "@dotorm/testkit";
import { expect, test } from "vitest";
import { Line, Note, Tag, User, errorShape, restSuite } from "../fixtures.js";

/** Every route of the contract, as an admin-like manager session on its own user's notes. */
export function crudRoutes(target: ConformanceTarget) {
  return restSuite("rest crud", target, (ctx) => {
    let me = 0;
    let h: Record<string, string> = {};
    const seed = async (titles: string[]) => {
      const ids: number[] = [];
      for (const [i, title] of titles.entries()) {
        ids.push(
          await ctx().sudo(() =>
            Note.create({
              title,
              owner_id: me,
              amount: `${i + 1}.50`,
              secret: "hidden",
              kind: i % 2 ? "todo" : "memo",
            }),
          ),
        );
      }
      return ids;
    };

    test("setup: a manager", async () => {
      me = await ctx().sudo(() => User.create({ name: "Mona", login: "mona", password_hash: "x" }));
      h = { "x-user": `${me},manager` };
      expect(me).toBeGreaterThan(0);
    });

    test("GET fields: metadata for forms, private fields absent", async () => {
      const r = await ctx().http("GET", "/auto/notes/fields", undefined, h);
      expect(r.status).toBe(200);
      const byName = Object.fromEntries(r.body.data.map((x: { name: string }) => [x.name, x]));
      expect(byName.title).toMatchObject({
        type: "char",
        label: "Title",
        help: "what the note is about",
        required: true,
        readonly: false,
        maxLength: 80,
      });
      expect(byName.kind).toMatchObject({
        type: "selection",
        options: [
          ["memo", "Memo"],
          ["todo", "To do"],
        ],
        default: "memo",
      });
      expect(byName.created_at).toMatchObject({ type: "datetime", readonly: true });
      // the related model's display field rides along, so a client can read related names in one request
      expect(byName.owner_id.relation).toEqual({ model: "users", kind: "many2one", display: "name" });
      expect(byName.tag_ids.relation).toEqual({ model: "tags", kind: "many2many", display: "name" });
      expect(byName.lines.relation).toEqual({ model: "note_lines", kind: "one2many" }); // no name field: no display
      expect(byName.amount).toMatchObject({ type: "decimal", precision: 10, scale: 2 });
      expect(byName.secret).toBeUndefined();
    });

    test("POST creates (201 { id }), GET serialises dates, decimals, JSON and relations, never private fields", async () => {
      const tag = await ctx().sudo(() => Tag.create({ name: "t1" }));
      const r = await ctx().http(
        "POST",
        "/auto/notes",
        { title: "first", owner_id: me, amount: "12.5", data: { a: [1, "x"] }, due: "2024-02-29", tag_ids: [tag] },
        h,
      );
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ id: expect.any(Number) });
      await ctx().sudo(() => Note.updateMany([r.body.id], { secret: "s3cret" }));
      const got = await ctx().http("GET", `/auto/notes/${r.body.id}`, undefined, h);
      expect(got.status).toBe(200);
      expect(got.body.data).toMatchObject({
        id: r.body.id,
        title: "first",
        data: { a: [1, "x"] },
        due: "2024-02-29",
        owner_id: me,
        kind: "memo",
      });
      expect(got.body.data.amount).toMatch(/^12\.50?$/);
      expect(got.body.data.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      expect(got.body.data).not.toHaveProperty("secret");
      expect(JSON.stringify(got.body)).not.toContain("s3cret");
      const withTags = await ctx().http("GET", `/auto/notes/${r.body.id}?fields=title,tag_ids`, undefined, h);
      expect(withTags.body.data).toEqual({ id: r.body.id, title: "first", tag_ids: [tag] });
    });

    test("GET list: filter, order, sort, limit, offset and total", async () => {
      await seed(["L-a", "L-b", "L-c", "L-d", "L-e"]);
      const filter = encodeURIComponent(JSON.stringify([["title", "like", "L-"]]));
      const r = await ctx().http(
        "GET",
        `/auto/notes?filter=${filter}&fields=title&order=title&sort=desc&limit=2&offset=1`,
        undefined,
        h,
      );
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(5);
      expect(r.body.data.map((x: { title: string }) => x.title)).toEqual(["L-d", "L-c"]);
      expect(Object.keys(r.body.data[0]).sort()).toEqual(["id", "title"]);
    });

    test("GET list: a page and its total in one statement where the engine can (the count a subquery of the page's SELECT); an empty page past the end counts apart", async () => {
      const filter = encodeURIComponent(JSON.stringify([["title", "like", "L-"]]));
      // every statement the list sends, and those with a count (the total, inline or apart)
      const sent: string[] = [];
      const listener = (e: { sql: string }) => void sent.push(e.sql);
      ctx().db.on("query", listener);
      try {
        const totals: [string, number, number, number][] = [];
        for (const [limit, offset] of [
          [2, 4],
          [10, 0],
          [2, 0],
          [2, 7],
        ] as const) {
          const before = sent.length;
          const r = await ctx().http(
            "GET",
            `/auto/notes?filter=${filter}&fields=title&limit=${limit}&offset=${offset}`,
            undefined,
            h,
          );
          const mine = sent.slice(before);
          totals.push([`${limit}/${offset}`, r.body.total, mine.length, mine.filter((q) => /count\(/i.test(q)).length]);
        }
        // one statement where the engine's nesting strategy reads the total inline (not ClickHouse);
        // elsewhere the page, then a count only when the page is full or empty past the first row
        const { compiler } = ctx().db.adapter;
        const inline = compiler.countsInline({ kind: "select", model: Note.meta, items: [], order: [] });
        const inlineCounts = [
          ["2/4", 5, 1, 1],
          ["10/0", 5, 1, 1],
          ["2/0", 5, 1, 1],
          ["2/7", 5, 2, 2],
        ];
        const apartCounts = [
          ["2/4", 5, 1, 0],
          ["10/0", 5, 1, 0],
          ["2/0", 5, 2, 1],
          ["2/7", 5, 2, 1],
        ];
        expect(totals).toEqual(inline ? inlineCounts : apartCounts);
      } finally {
        ctx().db.off("query", listener);
      }
    });

    test("POST search: full body with nested many2one and one2many", async () => {
      const [id] = await seed(["S-nested"]);
      await ctx().sudo(() =>
        Line.createMany([
          { note_id: id!, text: "one", qty: 1 },
          { note_id: id!, text: "two", qty: 2 },
        ]),
      );
      const r = await ctx().http(
        "POST",
        "/auto/notes/search",
        {
          filter: [["title", "=", "S-nested"]],
          fields: ["title"],
          nested: { owner_id: ["name"], lines: { fields: ["text"], order: "qty desc" } },
          limit: 5,
        },
        h,
      );
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(1);
      expect(r.body.data[0]).toMatchObject({ title: "S-nested", owner_id: { id: me, name: "Mona" } });
      expect(r.body.data[0].owner_id).not.toHaveProperty("password_hash");
      expect(r.body.data[0].lines.map((l: { text: string }) => l.text)).toEqual(["two", "one"]);
    });

    test("GET by id with nested; 404 for a missing record", async () => {
      const [id] = await seed(["G-one"]);
      const nested = encodeURIComponent(JSON.stringify({ owner_id: ["login"] }));
      const r = await ctx().http("GET", `/auto/notes/${id}?fields=title&nested=${nested}`, undefined, h);
      expect(r.body).toEqual({ data: { id, title: "G-one", owner_id: { id: me, login: "mona" } } });
      const missing = await ctx().http("GET", "/auto/notes/999999999", undefined, h);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ error: { code: "NOT_FOUND" } });
    });

    test("PATCH by id returns { data }; readonly and private fields are refused and change nothing", async () => {
      const [id] = await seed(["P-one"]);
      const r = await ctx().http("PATCH", `/auto/notes/${id}`, { title: "P-two", amount: 3 }, h);
      expect(r.status).toBe(200);
      expect(r.body.data).toMatchObject({ id, title: "P-two" });
      expect(Number(r.body.data.amount)).toBe(3);
      const ro = await ctx().http(
        "PATCH",
        `/auto/notes/${id}`,
        { title: "P-three", created_at: "2020-01-01T00:00:00Z" },
        h,
      );
      expect(ro.status).toBe(400);
      expect(ro.body.error.details.field).toBe("created_at");
      const priv = await ctx().http("PATCH", `/auto/notes/${id}`, { title: "P-three", secret: "x" }, h);
      expect(priv.status).toBe(400);
      expect(priv.body.error.details.field).toBe("secret");
      const privCreate = await ctx().http("POST", "/auto/notes", { title: "P-x", owner_id: me, secret: "x" }, h);
      expect(privCreate.status).toBe(400);
      expect((await ctx().sudo(() => Note.get(id!, { fields: ["title", "secret"] }))).title).toBe("P-two");
      expect(await ctx().sudo(() => Note.count({ filter: [["title", "=", "P-x"]] }))).toBe(0);
    });

    test("validation errors are 400 with the field in details, before the ORM", async () => {
      const cases: [unknown, string][] = [
        [{ owner_id: me }, "title"],
        [{ title: "x".repeat(81), owner_id: me }, "title"],
        [{ title: "k", owner_id: me, kind: "other" }, "kind"],
        [{ title: "k", owner_id: me, amount: "1e5" }, "amount"],
        [{ title: "k", owner_id: me, nope: 1 }, "nope"],
        [{ title: "k", owner_id: "1" }, "owner_id"],
      ];
      for (const [body, field] of cases) {
        const r = await ctx().http("POST", "/auto/notes", body, h);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.error.details.field).toBe(field);
      }
      expect(await ctx().sudo(() => Note.count({ filter: [["title", "=", "k"]] }))).toBe(0);
    });

    test("DELETE by id is 204, then the record is gone (404)", async () => {
      const [id] = await seed(["D-one"]);
      const r = await ctx().http("DELETE", `/auto/notes/${id}`, undefined, h);
      expect(r.status).toBe(204);
      expect(r.body).toBeUndefined();
      expect((await ctx().http("GET", `/auto/notes/${id}`, undefined, h)).status).toBe(404);
      expect((await ctx().http("DELETE", `/auto/notes/${id}`, undefined, h)).status).toBe(404);
    });

    test("bulk PATCH and DELETE take { ids, values } / { ids } and return { count }; a missing id changes nothing", async () => {
      const ids = await seed(["B-1", "B-2", "B-3"]);
      const up = await ctx().http("PATCH", "/auto/notes", { ids: ids.slice(0, 2), values: { body: "bulk" } }, h);
      expect(up.body).toEqual({ count: 2 });
      const bodies = await ctx().sudo(() =>
        Note.search({ filter: [["id", "in", ids]], fields: ["body"], order: "id" }),
      );
      expect(bodies.map((n) => n.body)).toEqual(["bulk", "bulk", null]);
      const bad = await ctx().http("PATCH", "/auto/notes", { ids: [ids[2], 999999999], values: { body: "no" } }, h);
      expect(bad.status).toBe(404);
      expect(bad.body.error.details.ids).toEqual([999999999]);
      expect((await ctx().sudo(() => Note.get(ids[2]!))).body).toBeNull();
      const delBad = await ctx().http("DELETE", "/auto/notes", { ids: [ids[0], 999999999] }, h);
      expect(delBad.status).toBe(404);
      expect(await ctx().sudo(() => Note.count({ filter: [["id", "in", ids]] }))).toBe(3);
      const del = await ctx().http("DELETE", "/auto/notes", { ids }, h);
      expect(del.body).toEqual({ count: 3 });
      expect(await ctx().sudo(() => Note.count({ filter: [["id", "in", ids]] }))).toBe(0);
    });

    test("create with relation commands is one transaction: a failing last command leaves nothing", async () => {
      const ok = await ctx().http(
        "POST",
        "/auto/notes",
        { title: "R-ok", owner_id: me, lines: { create: [{ text: "a" }, { text: "b" }] } },
        h,
      );
      expect(ok.status).toBe(201);
      expect(await ctx().sudo(() => Line.count({ filter: [["note_id", "=", ok.body.id]] }))).toBe(2);
      const r = await ctx().http(
        "POST",
        "/auto/notes",
        {
          title: "R-bad",
          owner_id: me,
          lines: { create: [{ text: "a" }, { text: "b" }] },
          tag_ids: { link: [987654321] },
        },
        h,
      );
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: { code: "VALIDATION_ERROR", details: { field: "tag_ids" } } });
      // ClickHouse has no transactions: the note written before the failing command stays (its README says so)
      const left = ctx().db.adapter.capabilities.transactions ? 0 : 1;
      expect(await ctx().sudo(() => Note.count({ filter: [["title", "=", "R-bad"]] }))).toBe(left);
      if (left === 0) expect(await ctx().sudo(() => Line.count({ filter: [["note_id.title", "=", "R-bad"]] }))).toBe(0);
    });

    test("GET <id>/<x2many>: a page of the relation with filter, order, limit and total", async () => {
      const [id] = await seed(["X-rel"]);
      await ctx().sudo(() => Line.createMany([1, 2, 3, 4].map((q) => ({ note_id: id!, text: `x${q}`, qty: q }))));
      const filter = encodeURIComponent(JSON.stringify([["qty", ">", 1]]));
      const r = await ctx().http(
        "GET",
        `/auto/notes/${id}/lines?filter=${filter}&order=qty&sort=desc&limit=2&fields=text`,
        undefined,
        h,
      );
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(3);
      expect(r.body.data.map((l: { text: string }) => l.text)).toEqual(["x4", "x3"]);
      const notRel = await ctx().http("GET", `/auto/notes/${id}/title`, undefined, h);
      expect(notRel.status).toBe(400);
    });

    test("name_search returns ids and display names", async () => {
      await ctx().sudo(() => Tag.createMany([{ name: "apple" }, { name: "apricot" }, { name: "banana" }]));
      const r = await ctx().http("GET", "/auto/tags/name_search?q=ap&limit=5", undefined, h);
      expect(r.status).toBe(200);
      expect(r.body.data.map((x: { name: string }) => x.name)).toEqual(["apple", "apricot"]);
      expect(r.body.data[0]).toEqual({ id: expect.any(Number), name: "apple" });
    });

    test("POST aggregate: groups, aggregates, having, order", async () => {
      await ctx().sudo(() =>
        Note.createMany([
          { title: "A1", owner_id: me, kind: "memo", amount: "1.25" },
          { title: "A2", owner_id: me, kind: "memo", amount: "2.25" },
          { title: "A3", owner_id: me, kind: "todo", amount: "10" },
        ]),
      );
      const r = await ctx().http(
        "POST",
        "/auto/notes/aggregate",
        {
          filter: [["title", "in", ["A1", "A2", "A3"]]],
          groupBy: ["kind"],
          aggregate: { n: ["id", "count"], total: ["amount", "sum"] },
          order: ["-n"],
          having: [["n", ">=", 1]],
        },
        h,
      );
      expect(r.status).toBe(200);
      expect(
        r.body.data.map((x: { kind: string; n: number; total: string }) => [x.kind, x.n, Number(x.total)]),
      ).toEqual([
        ["memo", 2, 3.5],
        ["todo", 1, 10],
      ]);
    });

    test("keyset pages: GET ?size=&after= returns { data, cursor } until the cursor is null", async () => {
      const ids = await ctx().sudo(() =>
        Note.createMany(["k1", "k2", "k3", "k4", "k5"].map((title) => ({ title, owner_id: me }))),
      );
      const filter = encodeURIComponent(JSON.stringify([["title", "=like", "k_"]]));
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r: { status: number; body: { data: { id: number }[]; cursor: string | null } } = await ctx().http(
          "GET",
          `/auto/notes?filter=${filter}&fields=title&order=title&sort=desc&size=2${cursor ? `&after=${cursor}` : ""}`,
          undefined,
          h,
        );
        expect(r.status).toBe(200);
        seen.push(...r.body.data.map((x) => x.id));
        cursor = r.body.cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());
    });

    test("HTTP errors: 405 wrong verb, 415 not JSON, 413 too big, 400 malformed JSON, 404 unknown model, 409 duplicate", async () => {
      const put = await ctx().http("PUT", "/auto/notes/1", { title: "x" }, h);
      expect(put.status).toBe(405);
      expect(put.headers.get("allow")).toContain("PATCH");
      expect(put.body).toMatchObject({ error: { code: "METHOD_NOT_ALLOWED" } });
      const form = await ctx().http("POST", "/auto/notes", "title=x", {
        ...h,
        "content-type": "application/x-www-form-urlencoded",
      });
      expect(form.status).toBe(415);
      const big = await ctx().http("POST", "/auto/notes", { title: "x", owner_id: me, body: "y".repeat(70_000) }, h);
      expect(big.status).toBe(413);
      expect(big.body).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
      const broken = await ctx().http("POST", "/auto/notes", '{"title": "x",', h);
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject(errorShape);
      const unknown = await ctx().http("GET", "/auto/nothing_here", undefined, h);
      expect(unknown.status).toBe(404);
      const first = await ctx().http("POST", "/auto/tags", { name: "once", code: "once" }, h);
      expect(first.status).toBe(201);
      const dup = await ctx().http("POST", "/auto/tags", { name: "twice", code: "once" }, h);
      if (ctx().db.adapter.capabilities.uniqueConstraints !== false) {
        expect(dup.status).toBe(409);
        expect(dup.body).toMatchObject({
          error: { code: "INTEGRITY_ERROR", details: { kind: "unique", field: "code" } },
        });
        expect(await ctx().sudo(() => Tag.count({ filter: [["name", "=", "twice"]] }))).toBe(0);
      } else {
        expect(dup.status).toBe(201); // nothing enforces unique here (ClickHouse), as the adapter documents
      }
      expect(await ctx().sudo(() => Note.count({ filter: [["title", "=", "x"]] }))).toBe(0);
    });
  });
}
