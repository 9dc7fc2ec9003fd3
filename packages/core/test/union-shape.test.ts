import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { branchesOf, keptBranchTrees, nodeOf } from "../src/hydrate/branches.js";
import { ast } from "../src/query/ast.js";
import type { ReadRequest } from "../src/query/plan-read.js";
import { planReadShaped } from "../src/query/read-shape.js";
import { keptUnionStatements, UnionRows } from "../src/sql/nesting/union-rows.js";
import { SqlCompiler } from "../src/sql/sql-compiler.js";
import { chat } from "./fixtures.js";

// A nested read of a planned-once shape through UNION ALL: its branches and its statement text are
// kept with the shape; what a call's values decide (the root's filter and page) is taken per call.
const spec: ReadRequest = {
  fields: ["name"],
  nested: { creator_id: ["name"], messages: { fields: ["body"], nested: { author_user_id: ["name"] }, limit: 5 } },
};
const get = (id: number) => planReadShaped(chat, { fields: spec.fields, nested: spec.nested }, ast.idIn(chat, [id]));
const search = (req: ReadRequest) => planReadShaped(chat, { ...spec, ...req });
const plain = (records: object[]) => JSON.parse(JSON.stringify(records)) as unknown;

describe("a kept shape read through UNION ALL", () => {
  test("its branches are built once: one list for every read, the root taken from the read at hand", () => {
    const before = keptBranchTrees();
    const a = get(1);
    const b = get(2);
    const branches = branchesOf(a);
    expect(branchesOf(b)).toBe(branches);
    expect(keptBranchTrees() - before).toBe(1);
    expect(branches.map((x) => x.prefix)).toEqual(["", "1#"]);
    // the kept root holds no read's values: each read's own root is asked for
    const root = branches[0];
    expect(root?.node.where).toBeUndefined();
    expect(root && nodeOf(root, b)).toBe(b);
    expect(Object.isFrozen(branches) && branches.every(Object.isFrozen)).toBe(true);
    // a select built per call (an access step's rewrite) has branches of its own
    const rebuilt = { ...a, items: [...a.items] };
    expect(branchesOf(rebuilt)).not.toBe(branches);
    expect(branchesOf(rebuilt)[0]?.node).toBe(rebuilt);
  });

  test("its statement is built once per rendering of the root, its values bound per call", () => {
    const union = new SqlCompiler((host) => new UnionRows(host, { joins: true }));
    const before = keptUnionStatements();
    const first = union.compile(get(1));
    const second = union.compile(get(2));
    expect(keptUnionStatements() - before).toBe(1);
    expect(second.sql).toBe(first.sql);
    expect([first.params, second.params]).toEqual([
      [1, 1, 5],
      [2, 2, 5],
    ]);
    // other roots of the same shape render other statements, each kept once, each as planRead renders it
    const reads = [
      search({ filter: [["id", ">", 3]] }),
      search({ filter: [["id", ">", 4]], limit: 2, offset: 1 }),
      search({ filter: [["name", "=", "x"], "or", ["creator_id.name", "=", "y"]] }),
      search({ filter: [["id", "in", [5]]] }),
    ];
    for (let round = 0; round < 2; round++) {
      for (const read of [...reads, get(round + 7)]) {
        expect(union.compile(read)).toEqual(union.compile({ ...read, items: [...read.items] }));
      }
    }
    expect(keptUnionStatements() - before).toBe(5);
  });

  test("any sequence of roots of kept shapes compiles as the same reads built per call do", () => {
    const union = new SqlCompiler((host) => new UnionRows(host, { joins: true }));
    const nested = [
      spec.nested,
      { messages: { fields: ["body"], limit: 2, offset: 1 } },
      { creator_id: ["name"], messages: ["body", { author_user_id: ["name"] }] },
    ];
    const leaf = fc.oneof(
      fc.integer({ min: 1, max: 9 }).map((n) => ["id", "=", n]),
      fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 3 }).map((ids) => ["id", "in", ids]),
      fc.constantFrom(["name", "=", null], ["name", "like", "%x"], ["is_archived", "=", true]),
      fc.string({ maxLength: 3 }).map((s) => ["creator_id.name", "=", s]),
      fc.string({ maxLength: 3 }).map((s) => ["messages.body", "=", s]),
    );
    const filter = fc.oneof(
      leaf.map((c) => [c]),
      fc.tuple(leaf, leaf).map(([a, b]) => [a, b]),
      fc.tuple(leaf, leaf).map(([a, b]) => [a, "or", b]),
    );
    const read = fc.record({
      nested: fc.integer({ min: 0, max: nested.length - 1 }),
      filter: fc.option(filter, { nil: undefined }),
      limit: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      offset: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
      get: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined, freq: 3 }),
    });
    fc.assert(
      fc.property(fc.array(read, { minLength: 1, maxLength: 6 }), (reads) => {
        for (const r of reads) {
          const shape = { fields: ["name"], nested: nested[r.nested] } as ReadRequest;
          const select =
            r.get === undefined
              ? planReadShaped(chat, { ...shape, filter: r.filter, limit: r.limit, offset: r.offset } as ReadRequest)
              : planReadShaped(chat, shape, ast.idIn(chat, [r.get]));
          expect(union.compile(select)).toEqual(union.compile({ ...select, items: [...select.items] }));
        }
      }),
      { numRuns: 300 },
    );
  });

  test("each read of the shape puts its own rows together", () => {
    const union = new SqlCompiler((host) => new UnionRows(host, { joins: true }));
    const row = (b: number, p: number | null, values: Record<string, unknown>) => ({
      "#b": b,
      "#p": p,
      "#n": null,
      id: null,
      name: null,
      "creator_id.id": null,
      "creator_id.name": null,
      "1#id": null,
      "1#body": null,
      "1#author_user_id.id": null,
      "1#author_user_id.name": null,
      ...values,
    });
    const rowsOf = (id: number) => [
      row(0, null, { id, name: `c${id}`, "creator_id.id": 9, "creator_id.name": "bob" }),
      row(1, id, { "1#id": id * 10, "1#body": "hi", "1#author_user_id.id": 9, "1#author_user_id.name": "bob" }),
      row(1, id, { "1#id": id * 10 + 1, "1#body": "yo" }),
    ];
    for (const id of [1, 2, 1]) {
      expect(plain(union.read(get(id), rowsOf(id)))).toEqual([
        {
          id,
          name: `c${id}`,
          creator_id: { id: 9, name: "bob" },
          messages: [
            { id: id * 10, body: "hi", author_user_id: { id: 9, name: "bob" } },
            { id: id * 10 + 1, body: "yo", author_user_id: null },
          ],
        },
      ]);
    }
    // a chat without messages, and children of a parent the read does not have, dropped
    expect(
      plain(union.read(get(3), [row(0, null, { id: 3, name: "c3" }), row(1, 4, { "1#id": 40, "1#body": "x" })])),
    ).toEqual([{ id: 3, name: "c3", creator_id: null, messages: [] }]);
  });
});
