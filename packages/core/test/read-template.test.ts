import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ast } from "../src/query/ast.js";
import type { ReadRequest } from "../src/query/plan-read.js";
import { planReadShaped } from "../src/query/read-shape.js";
import { builtTemplates, templateRead } from "../src/run/read-template.js";
import { JsonAggregate } from "../src/sql/nesting/json-aggregate.js";
import { UnionRows } from "../src/sql/nesting/union-rows.js";
import { SqlCompiler } from "../src/sql/sql-compiler.js";
import { chat, thing } from "./fixtures.js";

const compilers = {
  json: new SqlCompiler(),
  joined: new SqlCompiler((host) => new JsonAggregate(host, { joins: true })),
  union: new SqlCompiler((host) => new UnionRows(host, { joins: true })),
};

/** Today's path: the statement and params, or the error's class and message. */
function today(compiler: SqlCompiler, req: ReadRequest, extra?: ReturnType<typeof ast.idIn>) {
  try {
    const q = compiler.compile(planReadShaped(thing, req, extra));
    return { sql: q.sql, params: q.params, kind: q.kind };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

/**
 * The template path of a call, compared with today's: when it answers, the same statement, params and
 * kind; when today's path throws, it never answers (the caller then goes through today's path).
 */
function check(compiler: SqlCompiler, req: ReadRequest, extra?: ReturnType<typeof ast.idIn>): boolean {
  const fast = templateRead(thing, req, extra, compiler);
  const ref = today(compiler, req, extra);
  if (fast === undefined) return false;
  expect(
    ref.error,
    JSON.stringify(req, (_, v) => (typeof v === "bigint" ? `${v}n` : v)),
  ).toBeUndefined();
  expect({ sql: fast.query.sql, params: fast.query.params, kind: fast.query.kind }).toEqual(ref);
  return true;
}

// fields of every kind a filter compares, and values of every kind (and some of the wrong kind)
const fieldNames = ["id", "small", "count", "big", "ratio", "price", "flag", "at", "day", "clock", "kind", "code"];
const ops = ["=", "!=", ">", ">=", "<", "<=", "in", "not in", "like", "ilike", "=like", "not ilike"];
const ops2 = ["between", "not between", "is null", "is not null"];
const scalar = fc.oneof(
  fc.integer({ min: -5, max: 2 ** 40 }),
  fc.constantFrom(0, 1.5, -0, Number.NaN, 2 ** 60, 32768),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 5 }),
  fc.constantFrom("a", "b", "abcd", "2024-01-02", "2024-01-02T03:04:05Z", "10:30", "12.5", "1e3", "x\u0000", "\ud800"),
  fc.constantFrom("%_\\", "' OR 1=1 --", "`; DROP TABLE things; --"),
  fc.date({ min: new Date("1900-01-01"), max: new Date("2200-01-01"), noInvalidDate: true }),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
);
const value = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) });
const leaf = fc.oneof(
  fc.tuple(fc.constantFrom(...fieldNames), fc.constantFrom(...ops), value),
  fc.tuple(fc.constantFrom(...fieldNames), fc.constantFrom(...ops2), value),
  fc.tuple(fc.constantFrom(...fieldNames), fc.constantFrom("is null", "is not null")),
);
/** A filter: conditions joined by "and" / "or", with groups and "not". */
const filter: fc.Arbitrary<unknown[]> = fc.letrec((tie) => ({
  item: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.tuple(fc.constant("not"), tie("item")),
    tie("list"),
  ),
  list: fc
    .array(fc.tuple(fc.constantFrom("and", "or", null), tie("item")), { minLength: 1, maxLength: 3 })
    .map((xs) => xs.flatMap(([join, item], i) => (i === 0 || join === null ? [item] : [join, item]))),
})).list as fc.Arbitrary<unknown[]>;

/** The same filter with each value replaced by one of `pool` of the same JS type where there is one. */
function revalue(f: unknown, pool: readonly unknown[], n = { i: 0 }): unknown {
  if (!Array.isArray(f)) return f;
  if (typeof f[0] === "string" && f[0] !== "not" && f.length === 3 && typeof f[1] === "string") {
    const swap = (v: unknown): unknown => {
      const same = pool.filter((p) => typeof p === typeof v && (p === null) === (v === null) && !Array.isArray(p));
      return same.length === 0 ? v : same[n.i++ % same.length];
    };
    return [f[0], f[1], Array.isArray(f[2]) ? f[2].map(swap) : swap(f[2])];
  }
  return f.map((x) => revalue(x, pool, n));
}

describe("templateRead", () => {
  test("answers as today's path does (statement, params, kind), and never where today's path throws", () => {
    let answered = 0;
    for (const compiler of Object.values(compilers)) {
      fc.assert(
        fc.property(
          filter,
          fc.array(scalar, { minLength: 1, maxLength: 6 }),
          fc.constantFrom(undefined, 20, 0),
          fc.constantFrom(undefined, 0),
          (f, pool, limit, offset) => {
            const req = { filter: f, fields: ["count", "code"], order: "id", limit, offset } as ReadRequest;
            const other = { ...req, filter: revalue(f, pool) } as ReadRequest;
            // the first builds (when its values pass), the others are sent from the template
            for (const r of [req, other, req, other]) if (check(compiler, r)) answered++;
          },
        ),
        { numRuns: 300 },
      );
    }
    // most filters are answered: the property is not vacuous
    expect(answered).toBeGreaterThan(300);
  });

  test("get by id: the id and the fields, a new id per call", () => {
    const compiler = compilers.union;
    const req = { fields: ["count", "code"] } as ReadRequest;
    expect(templateRead(thing, req, ast.idIn(thing, [1]), compiler)).toBeUndefined();
    for (const id of [2, 3, 2 ** 40]) expect(check(compiler, req, ast.idIn(thing, [id]))).toBe(true);
    const fast = templateRead(thing, req, ast.idIn(thing, [7]), compiler);
    expect(fast?.query.params).toEqual([7]);
  });

  test("a repeated skeleton is built once; two calls never share params", () => {
    const compiler = compilers.json;
    const req = (n: number, s: string) =>
      ({
        filter: [
          ["count", ">", n],
          ["code", "=", s],
        ],
        fields: ["count"],
        limit: 5,
      }) as ReadRequest;
    const before = builtTemplates();
    expect(templateRead(thing, req(1, "a"), undefined, compiler)).toBeUndefined();
    const a = templateRead(thing, req(2, "b"), undefined, compiler);
    const b = templateRead(thing, req(3, "c"), undefined, compiler);
    expect(builtTemplates() - before).toBe(1);
    expect([a?.query.params, b?.query.params]).toEqual([
      [2, "b", 5],
      [3, "c", 5],
    ]);
    expect(a?.query.params).not.toBe(b?.query.params);
    expect(a?.query.sql).toBe(b?.query.sql);
  });

  test("a value of the wrong type after a good call of the same skeleton goes through today's path, every time", () => {
    const compiler = compilers.json;
    const req = (v: unknown) => ({ filter: [["small", "=", v]], fields: ["small"] }) as ReadRequest;
    templateRead(thing, req(1), undefined, compiler);
    expect(templateRead(thing, req(2), undefined, compiler)?.query.params).toEqual([2]);
    for (const bad of [1.5, 40000, Number.NaN, 2 ** 60]) {
      const before = builtTemplates();
      expect(templateRead(thing, req(bad), undefined, compiler)).toBeUndefined();
      expect(today(compiler, req(bad)).error).toMatch(/^QueryError: filter value for "small"/);
      expect(builtTemplates()).toBe(before);
    }
    expect(templateRead(thing, req(3), undefined, compiler)?.query.params).toEqual([3]);
  });

  test("SQL in a value is a bound value, never text of the statement", () => {
    const compiler = compilers.json;
    const req = (v: string) => ({ filter: [["name", "like", v]], fields: ["name"] }) as ReadRequest;
    templateRead(chat, req("a"), undefined, compiler);
    const fast = templateRead(chat, req("'; DROP"), undefined, compiler);
    expect(fast?.query.params).toEqual(["%'; DROP%"]);
    expect(fast?.query.sql).not.toContain("DROP");
  });

  test("hostile filters are not taken and nothing is kept for them", () => {
    const compiler = compilers.json;
    const good = [["count", "=", 1]];
    const getter = [["count", "=", 1]];
    Object.defineProperty(getter[0], 2, { get: () => 2, enumerable: true });
    const getterItem: unknown[] = [];
    Object.defineProperty(getterItem, 0, { get: () => ["count", "=", 3], enumerable: true });
    const proto = JSON.parse('[["__proto__", "=", 1]]');
    const hostile: unknown[] = [
      new Proxy(good, {}),
      [new Proxy(good[0] as unknown[], {})],
      getter,
      getterItem,
      proto,
      [["count", "=", { valueOf: () => 1 }]],
      [["count", "=", new (class extends Date {})()]],
      [["count", "=", Object.assign(Object.create(null), { 0: 1 })]],
      [["creator_id.name", "=", "x"]],
    ];
    for (const f of hostile) {
      const req = { filter: f, fields: ["count"] } as ReadRequest;
      const before = builtTemplates();
      for (let i = 0; i < 3; i++) expect(templateRead(thing, req, undefined, compiler)).toBeUndefined();
      expect(builtTemplates()).toBe(before);
    }
    const getterReq = { fields: ["count"] } as ReadRequest;
    Object.defineProperty(getterReq, "filter", { get: () => good, enumerable: true });
    for (let i = 0; i < 3; i++) expect(templateRead(thing, getterReq, undefined, compiler)).toBeUndefined();
    // a dotted path on another model's relation is not taken either
    const dotted = { filter: [["creator_id.name", "=", "x"]], fields: ["name"] } as ReadRequest;
    for (let i = 0; i < 2; i++) expect(templateRead(chat, dotted, undefined, compiler)).toBeUndefined();
  });

  test("on a kept skeleton, a value behind a getter is read once and sent as today's path sends it", () => {
    const compiler = compilers.joined;
    const req = (f: unknown) => ({ filter: f, fields: ["count"], limit: 2 }) as ReadRequest;
    templateRead(thing, req([["count", "=", 1]]), undefined, compiler);
    let reads = 0;
    const item = ["count", "="];
    Object.defineProperty(item, 2, { get: () => ++reads * 10, enumerable: true });
    const before = builtTemplates();
    const fast = templateRead(thing, req([item]), undefined, compiler);
    expect(reads).toBe(1);
    expect(fast?.query.params).toEqual([10, 2]);
    expect(fast?.query.sql).toBe(today(compiler, req([["count", "=", 10]])).sql);
    expect(builtTemplates()).toBe(before);
  });

  test("a field whose values the compiler encodes itself (JSON) is sent by today's path, every time", () => {
    const compiler = compilers.json;
    const req = (v: string) => ({ filter: [["data", "=", v]], fields: ["count"] }) as ReadRequest;
    for (const v of ["a", "b", "c"]) {
      expect(templateRead(thing, req(v), undefined, compiler)).toBeUndefined();
      expect(today(compiler, req(v)).error).toBeUndefined();
    }
  });
});
