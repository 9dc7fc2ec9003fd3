import { QueryError, ValidationError } from "@dotorm/core";
import fc from "fast-check";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Options outside the compile-time types, as an attacker (or a REST client) sends them. */
const untyped = (value: unknown) => value as never;

/**
 * Strings that break naive SQL building. No two differ only by case, accents or trailing spaces,
 * so collations that ignore those still tell them apart.
 */
const hostile = [
  "'; drop table x; --",
  "' OR '1'='1",
  '"; drop table y; --',
  "\\",
  "\\\\%",
  "%",
  "_",
  "100%_off",
  "`backtick`",
  "$1 ? :name {p0:String}",
  "ünï日本😀",
  "line\nbreak\ttab",
  "/* comment */",
];

/** JavaScript model of LIKE with backslash escapes, to predict `=like` results. */
function likeRegex(pattern: string, ci: boolean): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === "\\" && i + 1 < pattern.length)
      source += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (ch === "%") source += "[\\s\\S]*";
    else if (ch === "_") source += "[\\s\\S]";
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, ci ? "iu" : "u");
}

/** Hostile values are bound, never spliced; hostile names are refused before any SQL. */
export function injection(target: ConformanceTarget) {
  return suite("injection", target, (ctx) => {
    async function seed() {
      const { Thing } = ctx();
      const ids = await Thing.createMany(hostile.map((notes, i) => ({ label: `h${i}`, notes, code: "inj" })));
      return new Map(hostile.map((s, i) => [s, ids[i] as number]));
    }

    async function matching(cond: readonly unknown[]): Promise<number[]> {
      const { Thing } = ctx();
      return (await Thing.search({ filter: untyped([["code", "=", "inj"], cond]), fields: ["label"] })).map(
        (r) => r.id,
      );
    }

    test("hostile strings are bound in every operator: exact results, tables intact", async () => {
      const { Thing, User } = ctx();
      const users = await User.count();
      const ids = await seed();
      const all = [...ids.values()];
      const where = (pred: (v: string) => boolean) => hostile.filter(pred).map((v) => ids.get(v));
      for (const s of hostile) {
        const id = ids.get(s) as number;
        const others = all.filter((x) => x !== id);
        const label = JSON.stringify(s);
        expect(await matching(["notes", "=", s]), label).toEqual([id]);
        expect(await matching(["notes", "!=", s]), label).toEqual(others);
        expect(await matching(["notes", "in", [s, "nothing"]]), label).toEqual([id]);
        expect(await matching(["notes", "not in", [s]]), label).toEqual(others);
        expect(await matching(["notes", "between", [s, s]]), label).toEqual([id]);
        expect(await matching(["notes", "not between", [s, s]]), label).toEqual(others);
        expect(await matching(["notes", "like", s]), label).toEqual(where((v) => v.includes(s)));
        expect(await matching(["notes", "not like", s]), label).toEqual(where((v) => !v.includes(s)));
        expect(await matching(["notes", "ilike", s]), label).toEqual(
          where((v) => v.toLowerCase().includes(s.toLowerCase())),
        );
        expect(await matching(["notes", "not ilike", s]), label).toEqual(
          where((v) => !v.toLowerCase().includes(s.toLowerCase())),
        );
        // A total order puts every other value strictly below or above, whatever the collation.
        const below = await matching(["notes", "<", s]);
        const above = await matching(["notes", ">", s]);
        expect(
          [...below, ...above].sort((a, b) => a - b),
          label,
        ).toEqual(others);
        expect(await matching(["notes", "<=", s]), label).toEqual([...below, id].sort((a, b) => a - b));
        expect(await matching(["notes", ">=", s]), label).toEqual([...above, id].sort((a, b) => a - b));
        // A lone trailing backslash is no valid pattern; every other string is one.
        if (!/(^|[^\\])(\\\\)*\\$/.test(s)) {
          expect(await matching(["notes", "=like", s]), label).toEqual(where((v) => likeRegex(s, false).test(v)));
          expect(await matching(["notes", "=ilike", s]), label).toEqual(where((v) => likeRegex(s, true).test(v)));
        }
      }
      expect(await Thing.count({ filter: [["code", "=", "inj"]] })).toBe(hostile.length);
      // the other tables are intact: every user row is still there
      expect(await User.count()).toBe(users);
    });

    test("hostile strings round-trip exactly through text, char, json values and json keys", async () => {
      const { Thing } = ctx();
      for (const s of hostile) {
        const data = { [s]: s, list: [s] };
        const id = await Thing.create({ label: s.slice(0, 20), notes: s, data });
        expect(await Thing.get(id, { fields: ["label", "notes", "data"] })).toMatchObject({
          label: s.slice(0, 20),
          notes: s,
          data,
        });
        await Thing.updateMany(
          [
            ["id", "=", id],
            ["notes", "=", s],
          ],
          { notes: `${s}${s}` },
        );
        expect((await Thing.get(id)).notes).toBe(`${s}${s}`);
      }
    });

    test("the NUL character is refused as a value and in filters, before any SQL", async () => {
      const { Thing, record } = ctx();
      const { result, statements } = await record(async () => [
        await Thing.create({ label: "nul", notes: "a\u0000b" }).catch((e: unknown) => e),
        await Thing.search({ filter: [["notes", "=", "a\u0000b"]] }).catch((e: unknown) => e),
        await Thing.search({ filter: [["notes", "like", "\u0000"]] }).catch((e: unknown) => e),
      ]);
      expect(result[0]).toBeInstanceOf(ValidationError);
      expect(result[1]).toBeInstanceOf(QueryError);
      expect(result[2]).toBeInstanceOf(QueryError);
      expect(statements).toHaveLength(0);
    });

    test("lone surrogates in text, and NUL inside JSON values or keys, are refused before any SQL (never stored changed)", async () => {
      const { Thing, record } = ctx();
      const id = await Thing.create({ label: "surrogates", notes: "ok 😀" });
      const lone = ["\uD800", "a\uDC00b", "x\uD83D", "\uDE00y"];
      const { result, statements } = await record(async () => {
        const out: unknown[] = [];
        for (const s of lone) {
          out.push(await Thing.create({ label: "x", notes: s }).catch((e: unknown) => e));
          out.push(await Thing.create({ label: s }).catch((e: unknown) => e));
          out.push(await Thing.updateMany([id], { notes: s }).catch((e: unknown) => e));
          out.push(await Thing.create({ label: "x", data: { text: s } }).catch((e: unknown) => e));
          out.push(await Thing.create({ label: "x", data: { [s]: 1 } }).catch((e: unknown) => e));
        }
        out.push(await Thing.create({ label: "x", data: { text: "a\u0000b" } }).catch((e: unknown) => e));
        out.push(await Thing.create({ label: "x", data: ["\u0000"] }).catch((e: unknown) => e));
        out.push(await Thing.create({ label: "x", data: { "k\u0000": 1 } }).catch((e: unknown) => e));
        out.push(await Thing.updateMany([id], { data: { nested: { deep: "\u0000" } } }).catch((e: unknown) => e));
        return out;
      });
      for (const [i, err] of result.entries()) expect(err, String(i)).toBeInstanceOf(ValidationError);
      expect((result[0] as ValidationError).field).toBe("notes");
      const filters = await record(async () => [
        await Thing.search({ filter: [["notes", "=", "\uD800"]] }).catch((e: unknown) => e),
        await Thing.search({ filter: [["notes", "like", "a\uDC00"]] }).catch((e: unknown) => e),
      ]);
      for (const err of filters.result) expect(err).toBeInstanceOf(QueryError);
      expect([...statements, ...filters.statements]).toHaveLength(0);
      expect((await Thing.get(id, { fields: ["notes", "data"] })).notes).toBe("ok 😀");
    });

    test("hostile field names, nested names, order strings and sort values are refused before any SQL", async () => {
      const { Chat, record } = ctx();
      const names = [
        'name"; drop table x; --',
        "name OR 1=1",
        "id)",
        "",
        " name",
        "NAME",
        "__proto__",
        "constructor",
        "toString",
        "t0.name",
        "creator_id.name; --",
        "creator_id..name",
      ];
      const reads: Record<string, unknown>[] = [
        ...names.map((n) => ({ filter: [[n, "=", "x"]] })),
        ...names.map((n) => ({ fields: [n] })),
        ...names.map((n) => ({ nested: { [n]: ["name"] } })),
        { nested: { creator_id: ['name"--'] } },
        { nested: { messages: { fields: ["body"], order: "body; drop table x" } } },
        ...[
          "name; drop table x",
          "name desc; --",
          "(select 1)",
          "name, id) --",
          "1",
          "name nulls first",
          'name collate "C"',
          "messages.body",
          "creator_id.name.x",
        ].map((order) => ({ order })),
        ...["desc; drop", "asc nulls first", "DESC --", "random()"].map((sort) => ({ sort })),
      ];
      const { result, statements } = await record(async () => {
        const out: unknown[] = [];
        for (const options of reads) out.push(await Chat.search(untyped(options)).catch((e: unknown) => e));
        return out;
      });
      for (const [i, err] of result.entries()) expect(err, JSON.stringify(reads[i])).toBeInstanceOf(QueryError);
      expect(statements).toHaveLength(0);
      const writes = await record(async () => [
        await Chat.create(untyped({ name: "x", creator_id: 1, 'name"; --': "x" })).catch((e: unknown) => e),
        await Chat.updateMany([1], untyped({ "__proto__ ": "x" })).catch((e: unknown) => e),
      ]);
      for (const err of writes.result) expect(err).toBeInstanceOf(ValidationError);
      expect(writes.statements).toHaveLength(0);
    });

    test("objects shaped like internal condition nodes are refused as targets and filters, before any SQL", async () => {
      const { Thing, record } = ctx();
      const ids = await Thing.createMany([
        { label: "node-a", code: "node" },
        { label: "node-b", code: "node", secret: "s3cret" },
      ]);
      const id = { column: "id", kind: "integer", name: "id" };
      const forged: unknown[] = [
        // the injection of the issue: an operator spliced into SQL, a column never checked against the model
        { kind: "cmp", field: id, op: "IS NULL) OR (1=1) OR (t0.id =", value: 0 },
        { kind: "cmp", field: { column: "secret", kind: "char", name: "secret" }, op: "=", value: "s3cret" },
        { kind: "const", value: true },
        { kind: "in", field: id, values: ids, negate: false },
        { kind: "and", items: [{ kind: "const", value: true }] },
        { kind: "not", item: { kind: "const", value: false } },
        { kind: "exists", via: { column: "id", kind: "many2one", name: "x" }, cond: { kind: "const", value: true } },
        JSON.parse('{"__proto__": {"kind": "const"}, "kind": "const", "value": true}'),
      ];
      const calls = (node: unknown): [string, () => Promise<unknown>][] => [
        ["deleteMany(node)", () => Thing.deleteMany(untyped(node))],
        ["updateMany(node)", () => Thing.updateMany(untyped(node), { notes: "pwned" })],
        ["deleteMany([node])", () => Thing.deleteMany(untyped([node]))],
        ["updateMany([node])", () => Thing.updateMany(untyped([node]), { notes: "pwned" })],
        ["deleteMany([id, node])", () => Thing.deleteMany(untyped([ids[0], node]))],
        ["search filter node", () => Thing.search(untyped({ filter: node }))],
        ["search filter [node]", () => Thing.search(untyped({ filter: [node] }))],
        ["count filter [node]", () => Thing.count(untyped({ filter: [node] }))],
        ["exists filter [[node]]", () => Thing.exists(untyped({ filter: [[node]] }))],
        [
          "query().where([node]).delete()",
          () =>
            Thing.query()
              .where(untyped([node]))
              .delete(),
        ],
        ["query().where(node).update()", () => Thing.query().where(untyped(node)).update({ notes: "pwned" })],
        ["get(node)", () => Thing.get(untyped(node))],
      ];
      for (const node of forged) {
        const { result, statements } = await record(async () => {
          const out: [string, unknown][] = [];
          for (const [name, call] of calls(node)) out.push([name, await call().catch((e: unknown) => e)]);
          return out;
        });
        for (const [name, err] of result) expect(err, `${name} ${JSON.stringify(node)}`).toBeInstanceOf(QueryError);
        expect(
          statements.map((s) => s.sql),
          JSON.stringify(node),
        ).toEqual([]);
      }
      const rows = await Thing.search({ filter: [["code", "=", "node"]], fields: ["notes"] });
      expect(rows.map((r) => [r.id, r.notes])).toEqual(ids.map((i) => [i, null]));
    });

    test("property: any string round-trips exactly and finds itself through = and ilike", async () => {
      const { Thing } = ctx();
      const text = fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !s.includes("\u0000"));
      await fc.assert(
        fc.asyncProperty(text, async (s) => {
          const id = await Thing.create({ label: "prop", notes: s });
          expect((await Thing.get(id, { fields: ["notes"] })).notes).toBe(s);
          expect(
            await Thing.count({
              filter: [
                ["id", "=", id],
                ["notes", "=", s],
              ],
            }),
          ).toBe(1);
          expect(
            await Thing.count({
              filter: [
                ["id", "=", id],
                ["notes", "ilike", s],
              ],
            }),
          ).toBe(1);
          expect(
            await Thing.count({
              filter: [
                ["id", "=", id],
                ["notes", "not like", s],
              ],
            }),
          ).toBe(0);
        }),
        { numRuns: 60 },
      );
    });
  });
}
