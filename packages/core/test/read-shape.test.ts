import { describe, expect, test } from "vitest";
import { AccessGate } from "../src/access/access-gate.js";
import type { AccessChecker } from "../src/access/access-checker.js";
import { planSecured } from "../src/access/secure-read.js";
import { AccessDenied, QueryError } from "../src/errors.js";
import { ast, type SelectNode } from "../src/query/ast.js";
import { planRead, type ReadRequest } from "../src/query/plan-read.js";
import { keptShapes, maxShapesPerModel, plannedShapes, planReadShaped } from "../src/query/read-shape.js";
import { JsonAggregate } from "../src/sql/nesting/json-aggregate.js";
import { renderedFragments, renderedHeads } from "../src/sql/nesting/shape-memo.js";
import { UnionRows } from "../src/sql/nesting/union-rows.js";
import { SqlCompiler } from "../src/sql/sql-compiler.js";
import { chat, message, show } from "./fixtures.js";

const compilers = {
  json: new SqlCompiler(),
  joined: new SqlCompiler((host) => new JsonAggregate(host, { joins: true })),
  union: new SqlCompiler((host) => new UnionRows(host, { joins: true })),
};

/** Requests of every shape the memo takes, with values that differ per call. */
const shapes = (n: number): ReadRequest[] => [
  { filter: [["id", ">", n]], fields: ["name", "is_archived"], order: "id", limit: 20 },
  { filter: [["id", ">", n]], fields: ["name"], nested: { creator_id: ["name"] }, order: "name desc", limit: 100 },
  { fields: ["name"], nested: { messages: { fields: ["body", { author_user_id: ["name"] }], limit: 5, order: "id" } } },
  { filter: [["name", "ilike", `%${n}%`], "or", ["creator_id.name", "=", `u${n}`]], sort: "desc", offset: n },
  { nested: { creator_id: true, messages: ["body"] }, filter: [["id", "in", [n, n + 1]]] },
  // the same shape with a filter that names more aliases (EXISTS) on every other call
  {
    fields: ["name"],
    nested: { creator_id: ["name"], messages: ["body", { author_user_id: ["name"] }] },
    filter: n % 2 === 0 ? [["creator_id.name", "=", `u${n}`]] : [["id", "=", n]],
    limit: n % 3 === 0 ? undefined : 2,
  },
];

const get = (n: number) =>
  planReadShaped(chat, { fields: ["name"], nested: { messages: ["body"] } }, ast.idIn(chat, [n]));

describe("planReadShaped", () => {
  test("plans a repeated shape once and shares its frozen items and order, with the values of each call", () => {
    const before = plannedShapes();
    const a = planReadShaped(chat, shapes(1)[1] as ReadRequest);
    const b = planReadShaped(chat, shapes(7)[1] as ReadRequest);
    expect(plannedShapes() - before).toBe(1);
    expect(b.items).toBe(a.items);
    expect(b.order).toBe(a.order);
    expect(Object.isFrozen(a.items) && Object.isFrozen(a.order) && a.items.every(Object.isFrozen)).toBe(true);
    const nested = a.items.find((i) => i.kind === "nested");
    expect(nested?.kind === "nested" && Object.isFrozen(nested.sub) && Object.isFrozen(nested.sub.items)).toBe(true);
    expect([show(a.where), show(b.where)]).toEqual(["chats.id > 1", "chats.id > 7"]);
  });

  test("compiles exactly as planRead does, statement and values, on every nesting strategy", () => {
    for (const [name, compiler] of Object.entries(compilers)) {
      for (let round = 0; round < 6; round++) {
        for (const req of shapes(round + 3)) {
          expect(compiler.compile(planReadShaped(chat, req)), `${name} ${JSON.stringify(req)}`).toEqual(
            compiler.compile(planRead(chat, req)),
          );
        }
        const id = round + 11;
        expect(compiler.compile(get(id))).toEqual(
          compiler.compile(planRead(chat, { fields: ["name"], nested: { messages: ["body"] } }, ast.idIn(chat, [id]))),
        );
      }
    }
  });

  test("renders a repeated shape's select list and FROM once per compiler", () => {
    const compiler = new SqlCompiler((host) => new JsonAggregate(host, { joins: true }));
    const req = (n: number): ReadRequest => ({
      filter: [["id", ">", n]],
      fields: ["name"],
      nested: { creator_id: ["name"], messages: { fields: ["body"], limit: 3 } },
      limit: 10,
    });
    const before = renderedHeads();
    const first = compiler.compile(planReadShaped(chat, req(1)));
    const second = compiler.compile(planReadShaped(chat, req(2)));
    expect(renderedHeads() - before).toBe(1);
    expect(second.sql).toBe(first.sql);
    expect([first.params, second.params]).toEqual([
      [3, 1, 10],
      [3, 2, 10],
    ]);
  });

  test("renders a repeated shape's union members once per compiler", () => {
    const compiler = new SqlCompiler((host) => new UnionRows(host, { joins: true }));
    const before = renderedFragments();
    const first = compiler.compile(get(1));
    const second = compiler.compile(get(2));
    // the root's member and the messages' member
    expect(renderedFragments() - before).toBe(2);
    expect(second.sql).toBe(first.sql);
    expect([first.params, second.params]).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  test("a bad shape fails the same way on every call and is never kept", () => {
    const bad: [ReadRequest, string | undefined][] = [
      [{ fields: ["name", "nope"] }, "nope"],
      [{ nested: { name: ["x"] } }, "name"],
      [{ nested: { messages: { fields: ["body"], bogus: 1 } } }, "messages"],
      [{ nested: { creator_id: { limit: 3 } } }, "creator_id"],
      [{ nested: { messages: { limit: -1 } } }, undefined],
      [{ order: "nope desc" }, "nope"],
      [{ order: "name sideways" }, undefined],
      [{ sort: "up" }, undefined],
    ];
    const planned = plannedShapes();
    const kept = keptShapes(chat);
    for (const [req, field] of bad) {
      const errors = [0, 1, 2].map(() => {
        try {
          planReadShaped(chat, req);
        } catch (e) {
          return e;
        }
        throw new Error(`not refused: ${JSON.stringify(req)}`);
      });
      for (const e of errors) {
        expect(e).toBeInstanceOf(QueryError);
        expect((e as QueryError).message).toBe((errors[0] as QueryError).message);
        expect((e as QueryError).field).toBe(field);
      }
      expect(() => planRead(chat, req)).toThrow((errors[0] as QueryError).message);
    }
    expect(plannedShapes()).toBe(planned);
    expect(keptShapes(chat)).toBe(kept);
  });

  test("a bad value fails on every call of a kept shape", () => {
    const req = (limit: unknown, filter: unknown) => ({ fields: ["name"], order: "id", limit, filter }) as ReadRequest;
    planReadShaped(chat, req(5, [["id", "=", 1]]));
    for (let i = 0; i < 3; i++) {
      expect(() => planReadShaped(chat, req(-1, undefined))).toThrow("limit must be a non-negative integer, got -1");
      expect(() => planReadShaped(chat, req(5, [["nope", "=", 1]]))).toThrow(QueryError);
      expect(() => planReadShaped(chat, req(5, [["id", "=", { kind: "cmp" }]]))).toThrow(QueryError);
    }
  });

  test("shapes that differ only in a nested option, a direction or a longer name never share an entry", () => {
    const pairs: [ReadRequest, ReadRequest][] = [
      [
        { nested: { messages: { fields: ["body"], limit: 5 } } },
        { nested: { messages: { fields: ["body"], limit: 6 } } },
      ],
      [{ nested: { messages: ["body"] } }, { nested: { messages: { fields: ["body"], offset: 1 } } }],
      [{ nested: { messages: ["body", { author_user_id: ["name"] }] } }, { nested: { messages: ["body"] } }],
      [
        { nested: { messages: { fields: ["body"], limit: 5, offset: 6 } } },
        { nested: { messages: { fields: ["body"], limit: 6, offset: 5 } } },
      ],
      [{ fields: ["name", "description"] }, { fields: ["name"] }],
      [{ order: "name desc" }, { order: "name asc" }],
      [{ order: "name" }, { order: "name", sort: "desc" }],
      [{ fields: ["creator_id"] }, { fields: ["creator_id__name"] }],
      [{ fields: ["name", "description"] }, { fields: ["name"], order: "description" }],
      [
        { fields: ["name"], nested: { creator_id: ["name"] } },
        { fields: ["name"], nested: { creator_id: ["login"] } },
      ],
    ];
    for (const [a, b] of pairs) {
      for (const req of [a, b, a, b]) {
        const shaped = planReadShaped(chat, req);
        const plain = planRead(chat, req);
        expect(compilers.union.compile(shaped)).toEqual(compilers.union.compile(plain));
        expect(compilers.json.compile(shaped)).toEqual(compilers.json.compile(plain));
      }
      expect(planReadShaped(chat, a).items).not.toBe(planReadShaped(chat, b).items);
    }
  });

  test("getters, class instances, nested filters, huge and deep specs are planned every call, as planRead plans them", () => {
    class Options {
      fields = ["name"];
    }
    let deep: Record<string, unknown> = { fields: ["body"] };
    for (let i = 0; i < 10; i++) deep = { fields: ["body"], nested: { chat_id: { nested: { messages: deep } } } };
    const odd: ReadRequest[] = [
      {
        get fields() {
          return ["name"];
        },
      },
      { fields: Object.defineProperty(["name"], 0, { get: () => "name", enumerable: true }) },
      new Options(),
      { nested: { messages: { fields: ["body"], filter: [["body", "=", "x"]] } } },
      { fields: Array.from({ length: 500 }, () => "name") },
      { fields: ["name".repeat(100)] },
      { nested: { messages: deep } },
      { annotations: {}, fields: ["name"] },
    ];
    const planned = plannedShapes();
    for (const req of odd) {
      const run = () => {
        try {
          return compilers.json.compile(planReadShaped(chat, req));
        } catch (e) {
          return e;
        }
      };
      const first = run();
      expect(run()).toEqual(first);
      let plain: unknown;
      try {
        plain = compilers.json.compile(planRead(chat, req));
      } catch (e) {
        plain = e;
      }
      expect(first).toEqual(plain);
    }
    expect(plannedShapes()).toBe(planned);
  });

  test("a __proto__ relation name is refused as planRead refuses it", () => {
    const req = JSON.parse('{"nested": {"__proto__": ["name"]}}') as ReadRequest;
    for (let i = 0; i < 2; i++) expect(() => planReadShaped(chat, req)).toThrow('unknown field "__proto__"');
  });

  test(`keeps at most ${maxShapesPerModel} shapes per model`, () => {
    let most = 0;
    for (let limit = 0; limit < 2 * maxShapesPerModel + 50; limit++) {
      planReadShaped(chat, { nested: { messages: { fields: ["body"], limit } } });
      most = Math.max(most, keptShapes(chat));
    }
    expect(most).toBe(maxShapesPerModel);
    expect(keptShapes(chat)).toBeLessThanOrEqual(maxShapesPerModel);
    // another model's shapes are its own
    const before = plannedShapes();
    planReadShaped(message, { fields: ["body"] });
    planReadShaped(message, { fields: ["body"] });
    expect(plannedShapes() - before).toBe(1);
  });

  test("each session's rules and withheld fields still apply to a kept shape", async () => {
    const checker = (archived: boolean, withheld: string[]): AccessChecker<string> => ({
      check: ({ model }) => (model === "chats" ? [["is_archived", "=", archived]] : true),
      deniedFields: ({ model }) => (model === "chats" ? withheld : []),
    });
    const req: ReadRequest = { fields: ["name", "description"], nested: { creator_id: ["name"] }, order: "id" };
    const secured = (gate: AccessGate) =>
      planSecured(chat, gate, () => planReadShaped(chat, req)) as Promise<SelectNode>;
    const before = plannedShapes();
    const open = await secured(new AccessGate(checker(false, []), "a"));
    const other = await secured(new AccessGate(checker(true, []), "b"));
    await expect(secured(new AccessGate(checker(false, ["description"]), "c"))).rejects.toThrow(AccessDenied);
    expect(plannedShapes() - before).toBe(1);
    expect([show(open.where), show(other.where)]).toEqual(["chats.is_archived = false", "chats.is_archived = true"]);
    for (const compiler of Object.values(compilers)) {
      const [a, b] = [compiler.compile(open), compiler.compile(other)];
      expect(a.sql).toBe(b.sql);
      expect(a.params).toContain(false);
      expect(b.params).toContain(true);
    }
    // the kept shape itself is untouched: an unsecured read of it carries no rule
    expect(planReadShaped(chat, req).where).toBeUndefined();
  });
});
