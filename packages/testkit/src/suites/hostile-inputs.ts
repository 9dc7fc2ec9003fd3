import { QueryError, ValidationError } from "@dotorm/core";
import { expect, test } from "vitest";
import { type SuiteContext, suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Options outside the compile-time types, as an attacker (or a REST client) sends them. */
const untyped = (value: unknown) => value as never;
const json = (text: string): unknown => JSON.parse(text);
const cursor = (value: string) => Buffer.from(value).toString("base64url");

/** Names (fields, paths, group keys, aliases) that must never reach SQL. */
const names: unknown[] = [
  'name"; drop table x; --',
  "name OR 1=1",
  "id)",
  "",
  " name",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "t0.name",
  "creator_id..name",
  "creator_id.__proto__",
  "messages.constructor",
  "name\u0000",
  7,
  null,
  {},
  ["name"],
];

/** Operators that are not operators. */
const operators: unknown[] = [
  "IS NULL) OR (1=1",
  "constructor",
  "__proto__",
  "toString",
  "==",
  "LIKE",
  "",
  null,
  1,
  {},
  ["="],
];

/** Order strings and sort values. */
const orders: unknown[] = [
  "name; drop table x",
  "name desc; --",
  "(select 1)",
  "__proto__",
  "constructor desc",
  "name nulls first",
  5,
  {},
  ["name"],
];

/** Limits and offsets. */
const counts: unknown[] = [-1, 1.5, "1; DROP TABLE x", "10", Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, {}, true];

/** Keyset cursors. */
const cursors: unknown[] = [
  "",
  "%%%",
  cursor("null"),
  cursor("[]"),
  cursor("1"),
  cursor('"x"'),
  cursor("{}"),
  cursor('{"k":null,"v":null}'),
  cursor('{"k":["id"],"v":[{"x":1}]}'),
  cursor('{"k":["id"],"v":["1; drop table x"]}'),
  cursor('{"k":["__proto__"],"v":[1]}'),
  5,
  {},
];

/** Objects shaped like the core's internal nodes, and objects carrying `__proto__` keys. */
const nodes: unknown[] = [
  { kind: "cmp", field: { column: "id", kind: "integer" }, op: "IS NULL) OR (1=1) OR (t0.id =", value: 0 },
  { kind: "const", value: true },
  { kind: "column", field: { column: "name", name: "name" } },
  { kind: "select", model: { table: "x" }, items: [], order: [] },
  json('{"__proto__": {"kind": "const", "value": true}}'),
  json('{"__proto__": ["name", "=", "x"]}'),
];

/**
 * The hostile-input corpus: every kind of caller-supplied name, operator, order, lookup, nested key,
 * group or aggregate name, limit, cursor and node-shaped object, against every public call that takes
 * it. Each is refused with a typed error before any SQL is sent.
 */
export function hostileInputs(target: ConformanceTarget) {
  return suite("hostile-inputs", target, (ctx) => {
    /** Runs every call; each must fail with QueryError or ValidationError and no statement may be sent. */
    async function refused(calls: readonly (readonly [string, () => unknown])[]): Promise<void> {
      const { record } = ctx();
      const { result, statements } = await record(async () => {
        const out: [string, unknown][] = [];
        for (const [label, call] of calls) {
          try {
            const value = await call();
            out.push([label, { resolved: value }]);
          } catch (e) {
            out.push([label, e]);
          }
        }
        return out;
      });
      const wrong = result.filter(([, e]) => !(e instanceof QueryError || e instanceof ValidationError));
      expect(
        wrong.map(
          ([label, e]) => `${label}: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : JSON.stringify(e)}`,
        ),
      ).toEqual([]);
      expect(statements.map((s) => s.sql)).toEqual([]);
    }

    const label = (x: unknown) => (typeof x === "string" ? JSON.stringify(x) : String(JSON.stringify(x)));

    /** Every public call that takes a filter, with `filter` in it. */
    function filterCalls(c: SuiteContext, filter: unknown): [string, () => unknown][] {
      const { Chat } = c;
      const f = untyped(filter);
      const qs = () => Chat.query().where(f);
      return [
        ["search", () => Chat.search({ filter: f })],
        ["count", () => Chat.count({ filter: f })],
        ["exists", () => Chat.exists({ filter: f })],
        ["updateMany", () => Chat.updateMany(f, { name: "x" })],
        ["deleteMany", () => Chat.deleteMany(f)],
        ["qs.all", () => qs().all()],
        ["qs.count", () => qs().count()],
        ["qs.update", () => qs().update({ name: "x" })],
        ["qs.delete", () => qs().delete()],
        ["qs.aggregate", () => qs().aggregate({ n: ["id", "count"] })],
        [
          "qs.groupBy.aggregate",
          () =>
            qs()
              .groupBy("creator_id")
              .aggregate({ n: ["id", "count"] }),
        ],
        ["qs.paginate", () => qs().paginate({ size: 2 })],
        ["nested filter", () => Chat.search({ nested: { messages: { filter: f } } })],
      ];
    }

    test("hostile field names and paths, as filter fields, fields, nested keys, lookups, group keys and aggregate fields", async () => {
      const c = ctx();
      const { Chat } = c;
      const calls: [string, () => unknown][] = [];
      for (const n of names) {
        const l = label(n);
        calls.push(...filterCalls(c, [[n, "=", "x"]]).map(([k, fn]) => [`${k} ${l}`, fn] as [string, () => unknown]));
        calls.push([`fields ${l}`, () => Chat.search(untyped({ fields: [n] }))]);
        calls.push([`get fields ${l}`, () => Chat.get(1, untyped({ fields: [n] }))]);
        calls.push([`only ${l}`, () => Chat.query().only(untyped(n)).all()]);
        calls.push([`values ${l}`, () => Chat.query().values(untyped(n))]);
        calls.push([
          `groupBy ${l}`,
          () =>
            Chat.query()
              .groupBy(untyped(n))
              .aggregate({ n: ["id", "count"] }),
        ]);
        calls.push([`aggregate field ${l}`, () => Chat.query().aggregate(untyped({ n: [n, "count"] }))]);
        calls.push([
          `upsert onConflict ${l}`,
          () => Chat.createMany([{ name: "x", creator_id: 1 }], untyped({ onConflict: [n] })),
        ]);
        if (typeof n === "string") {
          calls.push([`nested ${l}`, () => Chat.search(untyped({ nested: { [n]: ["name"] } }))]);
          calls.push([`nested inner ${l}`, () => Chat.search(untyped({ nested: { creator_id: [n] } }))]);
          calls.push([
            `lookup ${l}`,
            () =>
              Chat.query()
                .filter(untyped({ [n]: "x" }))
                .all(),
          ]);
          calls.push([
            `lookup suffix ${l}`,
            () =>
              Chat.query()
                .filter(untyped({ [`name__${n}`]: "x" }))
                .all(),
          ]);
          calls.push([`create key ${l}`, () => Chat.create(untyped({ name: "x", creator_id: 1, [n]: "x" }))]);
          calls.push([`update key ${l}`, () => Chat.updateMany([1], untyped({ [n]: "x" }))]);
          calls.push([
            `having alias ${l}`,
            () =>
              Chat.query()
                .groupBy("creator_id")
                .having(untyped([[n, "=", 1]]))
                .aggregate({ n: ["id", "count"] }),
          ]);
          calls.push([
            `aggregate alias ${l}`,
            () => Chat.query().aggregate(untyped(json(`{${JSON.stringify(n)}: ["id", "count"]}`))),
          ]);
          calls.push([
            `group order ${l}`,
            () =>
              Chat.query()
                .groupBy("creator_id")
                .orderBy(n)
                .aggregate({ n: ["id", "count"] }),
          ]);
        }
      }
      await refused(calls);
    });

    test("hostile operators, in filters, lookups, having and aggregate functions", async () => {
      const c = ctx();
      const { Chat } = c;
      const calls: [string, () => unknown][] = [];
      for (const op of operators) {
        const l = label(op);
        calls.push(
          ...filterCalls(c, [["name", op, "x"]]).map(([k, fn]) => [`${k} ${l}`, fn] as [string, () => unknown]),
        );
        calls.push([
          `having ${l}`,
          () =>
            Chat.query()
              .groupBy("creator_id")
              .having(untyped([["n", op, 1]]))
              .aggregate({ n: ["id", "count"] }),
        ]);
        calls.push([`aggregate fn ${l}`, () => Chat.query().aggregate(untyped({ n: ["id", op] }))]);
        if (typeof op === "string")
          calls.push([
            `lookup ${l}`,
            () =>
              Chat.query()
                .filter(untyped({ [`name__${op}`]: "x" }))
                .all(),
          ]);
      }
      await refused(calls);
    });

    test("hostile order strings, sort values, limits, offsets, page sizes and batch sizes", async () => {
      const { Chat } = ctx();
      const calls: [string, () => unknown][] = [];
      for (const o of orders) {
        const l = label(o);
        calls.push([`order ${l}`, () => Chat.search(untyped({ order: o }))]);
        calls.push([`sort ${l}`, () => Chat.search(untyped({ order: "name", sort: o }))]);
        calls.push([`orderBy ${l}`, () => Chat.query().orderBy(untyped(o)).all()]);
        calls.push([`nested order ${l}`, () => Chat.search(untyped({ nested: { messages: { order: o } } }))]);
        calls.push([`paginate order ${l}`, () => Chat.query().orderBy(untyped(o)).paginate({ size: 2 })]);
      }
      for (const n of counts) {
        const l = label(n);
        calls.push([`limit ${l}`, () => Chat.search(untyped({ limit: n }))]);
        calls.push([`offset ${l}`, () => Chat.search(untyped({ offset: n }))]);
        calls.push([`qs.limit ${l}`, () => Chat.query().limit(untyped(n)).all()]);
        calls.push([`qs.offset ${l}`, () => Chat.query().offset(untyped(n)).all()]);
        calls.push([
          `grouped limit ${l}`,
          () =>
            Chat.query()
              .groupBy("creator_id")
              .limit(untyped(n))
              .aggregate({ n: ["id", "count"] }),
        ]);
        calls.push([
          `grouped offset ${l}`,
          () =>
            Chat.query()
              .groupBy("creator_id")
              .offset(untyped(n))
              .aggregate({ n: ["id", "count"] }),
        ]);
        calls.push([`nested limit ${l}`, () => Chat.search(untyped({ nested: { messages: { limit: n } } }))]);
        calls.push([`page size ${l}`, () => Chat.query().paginate({ size: untyped(n) })]);
        calls.push([
          `stream batch ${l}`,
          async () => {
            for await (const _ of Chat.query().stream({ batchSize: untyped(n) })) break;
          },
        ]);
      }
      await refused(calls);
    });

    test("forged and malformed keyset cursors", async () => {
      const { Chat } = ctx();
      await refused(
        cursors.map((after) => [
          `after ${label(after)}`,
          () => Chat.query().paginate({ size: 2, after: untyped(after) }),
        ]),
      );
    });

    test("objects shaped like internal nodes, and __proto__ keys, wherever a caller passes structure", async () => {
      const c = ctx();
      const { Chat } = c;
      const calls: [string, () => unknown][] = [];
      for (const node of nodes) {
        const l = label(node);
        calls.push(...filterCalls(c, node).map(([k, fn]) => [`${k} ${l}`, fn] as [string, () => unknown]));
        calls.push(...filterCalls(c, [node]).map(([k, fn]) => [`${k} [${l}]`, fn] as [string, () => unknown]));
        calls.push([`get ${l}`, () => Chat.get(untyped(node))]);
        calls.push([`fields ${l}`, () => Chat.search(untyped({ fields: [node] }))]);
        calls.push([`nested ${l}`, () => Chat.search(untyped({ nested: node }))]);
        calls.push([`order ${l}`, () => Chat.search(untyped({ order: node }))]);
        calls.push([`value ${l}`, () => Chat.create(untyped({ name: node, creator_id: 1 }))]);
        calls.push([`update value ${l}`, () => Chat.updateMany([1], untyped({ name: node }))]);
        calls.push([`create ${l}`, () => Chat.create(untyped(node))]);
        calls.push([`createMany ${l}`, () => Chat.createMany(untyped(node))]);
        calls.push([`lookups ${l}`, () => Chat.query().filter(untyped(node)).all()]);
        calls.push([`aggregate ${l}`, () => Chat.query().aggregate(untyped(node))]);
      }
      calls.push([
        "create __proto__ key",
        () => Chat.create(untyped(json('{"name": "x", "creator_id": 1, "__proto__": {"is_archived": true}}'))),
      ]);
      calls.push(["update __proto__ key", () => Chat.updateMany([1], untyped(json('{"__proto__": {"name": "x"}}')))]);
      calls.push([
        "lookups __proto__ key",
        () =>
          Chat.query()
            .filter(untyped(json('{"__proto__": {"name": "x"}}')))
            .all(),
      ]);
      calls.push(["nested __proto__ key", () => Chat.search(untyped(json('{"nested": {"__proto__": ["name"]}}')))]);
      calls.push([
        "relation commands __proto__ key",
        () => ctx().User.updateMany([1], untyped(json('{"role_ids": {"__proto__": {"set": [1]}}}'))),
      ]);
      await refused(calls);
    });
  });
}
