import { afterEach, describe, expect, test, vi } from "vitest";
import { compiledShapes, useCompiledReaders } from "../src/hydrate/compiled-reader.js";
import { decodeValue } from "../src/hydrate/decode-value.js";
import { hydrate } from "../src/hydrate/hydrate.js";
import type { FieldMeta } from "../src/model/model-meta.js";
import { baselineOf, comparable } from "../src/model/record-state.js";
import { planRead, type ReadRequest } from "../src/query/plan-read.js";
import { planReadShaped } from "../src/query/read-shape.js";
import { JsonAggregate } from "../src/sql/nesting/json-aggregate.js";
import { UnionRows } from "../src/sql/nesting/union-rows.js";
import { SqlCompiler } from "../src/sql/sql-compiler.js";
import { f } from "../src/model/f.js";
import { model } from "../src/define/model.js";
import { chat, Role, thing, user } from "./fixtures.js";

// Hydration compiles one reader per shape; it must make exactly the records the closure reader makes.
const joined = new SqlCompiler((host) => new JsonAggregate(host, { joins: true }));
const json = new SqlCompiler();
const union = new SqlCompiler((host) => new UnionRows(host, { joins: true }));

/** Everything a caller can see of a record, nested ones included: keys in order, class, values, baseline. */
function looks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(looks);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const record = value as Record<string, unknown>;
  return {
    proto: Object.getPrototypeOf(record),
    keys: Reflect.ownKeys(record),
    values: Object.keys(record).map((k) => looks(record[k])),
    baseline: baselineOf(record),
  };
}

/** The records of one read, made by the closure reader and by the compiled one. */
function both(read: () => object[]): [unknown, unknown] {
  useCompiledReaders(false);
  const closures = looks(read());
  useCompiledReaders(true);
  return [closures, looks(read())];
}

afterEach(() => {
  useCompiledReaders(true);
  vi.unstubAllGlobals();
});

const chatRows = [
  { id: 1, name: "a", is_archived: 0, "creator_id.id": 7, "creator_id.name": "bob" },
  { id: 2, name: "b", is_archived: 1, "creator_id.id": null, "creator_id.name": null },
];
const withCreator: ReadRequest = { fields: ["name", "is_archived"], nested: { creator_id: ["name"] } };

describe("compiled row readers", () => {
  test("joined many2ones, a missing one as null: the same records as the closure reader", () => {
    const select = planRead(chat, withCreator);
    const [closures, compiled] = both(() => joined.read(select, chatRows));
    expect(compiled).toEqual(closures);
    expect(JSON.parse(JSON.stringify(joined.read(select, chatRows)))).toEqual([
      { id: 1, name: "a", is_archived: false, creator_id: { id: 7, name: "bob" } },
      { id: 2, name: "b", is_archived: true, creator_id: null },
    ]);
  });

  test("every field kind, a computed field and the field read only for it", () => {
    const select = planRead(thing, { fields: ["count", "flag", "at", "data", "price", "shout"] });
    const rows = [
      { id: 1, count: 3, flag: 1, at: new Date(5), data: '{"a":[1]}', price: "1.50", thing_code: "ab", code: "ab" },
      { id: 2, count: null, flag: 0, at: null, data: null, price: null, thing_code: null, code: null },
    ];
    const [closures, compiled] = both(() => json.read(select, rows));
    expect(compiled).toEqual(closures);
    const [first] = json.read(select, rows) as Record<string, unknown>[];
    expect(first?.shout).toBe("AB");
    expect(Object.keys(first!)).not.toContain("code");
  });

  test("nested JSON values and ids, and tagged union rows with a many2many branch", () => {
    const nestedJson = planRead(chat, { fields: ["name"], nested: { creator_id: ["name"], messages: ["body"] } });
    const jsonRows = [
      { id: 1, name: "a", creator_id: '{"id":7,"name":"bob"}', messages: '[{"id":3,"body":"hi"}]' },
      { id: 2, name: "b", creator_id: null, messages: "[]" },
    ];
    const [c1, j1] = both(() => json.read(nestedJson, jsonRows));
    expect(j1).toEqual(c1);

    const select = planRead(user, { fields: ["name"], nested: { role_ids: ["code"] } });
    const tag = { "#b": null, "#p": null, "#n": null, id: null, name: null, "1#id": null, "1#code": null };
    const rows = [
      { ...tag, "#b": 0, id: 7, name: "bob" },
      { ...tag, "#b": 1, "#p": 7, "1#id": 2, "1#code": "admin" },
      { ...tag, "#b": 1, "#p": 7, "1#id": 3, "1#code": "dev" },
    ];
    const [closures, compiled] = both(() => union.read(select, rows));
    expect(compiled).toEqual(closures);
    expect(JSON.parse(JSON.stringify(union.read(select, rows)))).toEqual([
      {
        id: 7,
        name: "bob",
        role_ids: [
          { id: 2, code: "admin" },
          { id: 3, code: "dev" },
        ],
      },
    ]);
  });

  test("a column is decoded by the decoder's own per-field function when it offers one", () => {
    const select = planRead(chat, { fields: ["name", "is_archived"] });
    const asked: string[] = [];
    const decode = Object.assign((field: FieldMeta, raw: unknown) => decodeValue(field, raw), {
      column: (field: FieldMeta) => {
        asked.push(field.name);
        return (raw: unknown) => `${field.name}=${String(raw)}`;
      },
    });
    const records = hydrate(select, [chatRows[0]!, chatRows[1]!], decode) as Record<string, unknown>[];
    expect(asked).toEqual(["id", "name", "is_archived"]);
    expect(records.map((r) => r.name)).toEqual(["name=a", "name=b"]);
    // the closure reader keeps the three-argument form
    useCompiledReaders(false);
    expect((hydrate(select, [chatRows[0]!, chatRows[1]!], decode)[0] as Record<string, unknown>).name).toBe("a");
  });

  test("a shape planned once keeps its reader: built on the first read only, one-row reads included", () => {
    const asked: string[] = [];
    const decode = Object.assign((field: FieldMeta, raw: unknown) => decodeValue(field, raw), {
      column: (field: FieldMeta) => {
        asked.push(field.name);
        return (raw: unknown) => (field.name === "is_archived" ? raw === 1 : raw);
      },
    });
    const request: ReadRequest = { fields: ["name", "is_archived"], nested: { creator_id: ["name"] } };
    const select = () => planReadShaped(chat, request);
    // the creator as joined columns, as the compiler reads it; the frozen items are the same each call
    const creator = new Set(select().items.filter((item) => item.kind === "nested"));
    expect(creator.size).toBe(1);
    const first = hydrate(select(), [chatRows[0]!], decode, undefined, creator);
    const built = asked.length;
    expect(built).toBeGreaterThan(0);
    const again = hydrate(select(), [chatRows[0]!, chatRows[1]!], decode, undefined, creator);
    expect(asked.length).toBe(built);
    expect(looks(again[0])).toEqual(looks(first[0]));
    expect(again.map((r) => (r as Record<string, unknown>).is_archived)).toEqual([false, true]);
    expect((again[1] as Record<string, unknown>).creator_id).toBeNull();
    // a select planned per call (not frozen) is read as before: its columns are asked for again
    const perCall = planRead(chat, request);
    hydrate(
      perCall,
      [chatRows[0]!, chatRows[1]!],
      decode,
      undefined,
      new Set(perCall.items.filter((i) => i.kind === "nested")),
    );
    expect(asked.length).toBe(built * 2);
    // another decoder, or no joined creator, is not given the kept reader
    const other = Object.assign((field: FieldMeta, raw: unknown) => decodeValue(field, raw), {
      column: (field: FieldMeta) => (raw: unknown) => (field.name === "name" ? `other:${String(raw)}` : raw),
    });
    expect((hydrate(select(), [chatRows[0]!], other, undefined, creator)[0] as Record<string, unknown>).name).toBe(
      "other:a",
    );
    const unjoined = hydrate(select(), [{ ...chatRows[0]!, creator_id: '{"id":7,"name":"bob"}' }], decode);
    expect(((unjoined[0] as Record<string, unknown>).creator_id as Record<string, unknown>).name).toBe("bob");
  });

  test("one field name, a nested many2one in one model and a nested list in another: two shapes", () => {
    const One = model("cr_one", { rel: f.many2one(() => Role) });
    const Many = model("cr_many", {
      rel: f.many2many(() => Role, { table: "cr_many_roles", column1: "many_id", column2: "role_id" }),
    });
    const one = json.read(planRead(One.meta, { nested: { rel: ["code"] } }), [
      { id: 1, rel: '{"id":5,"code":"a"}' },
      { id: 2, rel: null },
    ]);
    const many = json.read(planRead(Many.meta, { nested: { rel: ["code"] } }), [
      { id: 1, rel: '[{"id":5,"code":"a"}]' },
      { id: 2, rel: "[]" },
    ]);
    expect(baselineOf(one[0]!)).toEqual(
      new Map<string, unknown>([
        ["id", 1],
        ["rel", 5],
      ]),
    );
    expect(baselineOf(many[0]!)).toEqual(new Map([["id", 1]]));
    expect(JSON.parse(JSON.stringify(many))).toEqual([
      { id: 1, rel: [{ id: 5, code: "a" }] },
      { id: 2, rel: [] },
    ]);
  });

  test("a shape is compiled once and reused by later reads of it, whatever their rows", () => {
    const select = () => planRead(chat, { fields: ["name", "description"], nested: { creator_id: ["login"] } });
    const row = (id: number) => ({ id, name: "n", description: null, "creator_id.id": id, "creator_id.login": "x" });
    joined.read(select(), [row(1), row(2)]);
    const shapes = compiledShapes();
    joined.read(select(), [row(3), row(4), row(5)]);
    joined.read(select(), [row(6), row(7)]);
    expect(compiledShapes()).toBe(shapes);
    joined.read(planRead(chat, { fields: ["description", "name"] }), [row(8), row(9)]);
    expect(compiledShapes()).toBe(shapes + 1);
    // one row is read with closures: nothing to compile for it
    joined.read(planRead(chat, { fields: ["description"] }), [row(10)]);
    expect(compiledShapes()).toBe(shapes + 1);
  });

  test("plain columns: the model's last reader is reused for the same fields, decoder and prototype only", () => {
    const asked: string[] = [];
    const tagged = (tag: string) =>
      Object.assign((field: FieldMeta, raw: unknown) => decodeValue(field, raw), {
        column: (field: FieldMeta) => {
          asked.push(`${tag}:${field.name}`);
          return (raw: unknown) => `${tag}:${String(raw)}`;
        },
      });
    const [one, two] = [tagged("1"), tagged("2")];
    const rows = [chatRows[0]!, chatRows[1]!];
    const read = (fields: string[], decode = one, protos?: (m: unknown) => object) =>
      hydrate(planRead(chat, { fields }), rows, decode, protos as never) as Record<string, unknown>[];
    read(["name", "is_archived"]);
    expect(asked).toEqual(["1:id", "1:name", "1:is_archived"]);
    // the same call shape again (a new plan): no walk of it, its reader as it was
    expect(read(["name", "is_archived"]).map((r) => r.name)).toEqual(["1:a", "1:b"]);
    expect(asked).toHaveLength(3);
    // another decoder, other fields, another prototype: each gets a reader of its own
    expect(read(["name", "is_archived"], two).map((r) => r.name)).toEqual(["2:a", "2:b"]);
    expect(Object.keys(read(["is_archived"], two)[0]!)).toEqual(["id", "is_archived"]);
    class Bound {}
    expect(read(["is_archived"], two, () => Bound.prototype)[0]).toBeInstanceOf(Bound);
    expect(read(["is_archived"], two)[0]).not.toBeInstanceOf(Bound);
    expect(asked).toHaveLength(3 + 3 + 2 + 2 + 2);
  });

  test("a datetime column and one of another kind under one name: two shapes (a number in a datetime compares as text)", () => {
    const Text = model("cr_text", { at: f.char() });
    const Time = model("cr_time", { at: f.datetime() });
    const raw = Object.assign((_field: FieldMeta, value: unknown) => value, {
      column: () => (value: unknown) => value,
    });
    const rows = [
      { id: 1, at: 5 },
      { id: 2, at: null },
    ];
    const [text] = hydrate(planRead(Text.meta, { fields: ["at"] }), rows, raw);
    const [time] = hydrate(planRead(Time.meta, { fields: ["at"] }), rows, raw);
    expect(baselineOf(text!)?.get("at")).toBe(5);
    expect(baselineOf(time!)?.get("at")).toBe(comparable(Time.meta.fields.get("at")!, 5));
    expect(baselineOf(time!)?.get("at")).not.toBe(5);
  });

  test("where code cannot be compiled (new Function refused), the closure reader reads the rows", () => {
    const select = planRead(chat, { fields: ["name", "chat_type"], nested: { creator_id: ["is_active"] } });
    const rows = [
      { id: 9, name: "z", chat_type: "group", "creator_id.id": 4, "creator_id.is_active": 1 },
      { id: 10, name: "y", chat_type: "direct", "creator_id.id": null, "creator_id.is_active": null },
    ];
    useCompiledReaders(false);
    const closures = looks(joined.read(select, rows));
    useCompiledReaders(true);
    vi.stubGlobal("Function", () => {
      throw new EvalError("Code generation from strings disallowed for this context");
    });
    const shapes = compiledShapes();
    expect(looks(joined.read(select, rows))).toEqual(closures);
    expect(compiledShapes()).toBe(shapes);
    // refused once, not asked again: later reads of any shape go straight to the closure reader
    vi.unstubAllGlobals();
    joined.read(planRead(chat, { fields: ["chat_type"] }), rows);
    expect(compiledShapes()).toBe(shapes);
    // records of a prototype no class was compiled for get their baseline all the same
    class Bound {}
    const bound = joined.read(select, rows, () => Bound.prototype) as Record<string, unknown>[];
    expect(Object.getPrototypeOf(bound[0])).toBe(Bound.prototype);
    expect(Object.getPrototypeOf(bound[0]!.creator_id)).toBe(Bound.prototype);
    expect(bound.map((r) => baselineOf(r))).toEqual((closures as { baseline: unknown }[]).map((c) => c.baseline));
    expect(baselineOf(bound[0]!.creator_id as object)).toEqual(
      new Map<string, unknown>([
        ["id", 4],
        ["is_active", true],
      ]),
    );
  });
});
