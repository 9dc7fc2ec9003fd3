import { afterEach, describe, expect, test } from "vitest";
import { useCompiledReaders } from "../src/hydrate/compiled-reader.js";
import { decodeValue } from "../src/hydrate/decode-value.js";
import { hydrate } from "../src/hydrate/hydrate.js";
import { JsonAggregate } from "../src/sql/nesting/json-aggregate.js";
import { SqlCompiler } from "../src/sql/sql-compiler.js";
import { baselineOf, comparable, remember } from "../src/model/record-state.js";
import { planRead } from "../src/query/plan-read.js";
import { Chat, chat, thing } from "./fixtures.js";

// The baseline save() compares with lives in a hidden slot of each record hydration makes.
const decode = (field: Parameters<typeof decodeValue>[0], raw: unknown) => decodeValue(field, raw);

async function readChats() {
  const select = await planRead(chat, { fields: ["name", "is_archived", "creator_id"] });
  const rows = [
    { id: 1, name: "a", is_archived: false, creator_id: 7 },
    { id: 2, name: "b", is_archived: true, creator_id: null },
  ];
  return hydrate(select, rows, decode) as Record<string, unknown>[];
}

describe("record baselines", () => {
  test("a hydrated record has its read values as baseline, and nothing else to show for it", async () => {
    const [first] = await readChats();
    expect(Object.keys(first!)).toEqual(["id", "name", "is_archived", "creator_id"]);
    expect(JSON.parse(JSON.stringify(first))).toEqual({ id: 1, name: "a", is_archived: false, creator_id: 7 });
    expect(Object.getPrototypeOf(first)).toBe(chat.ctor.prototype);
    expect(Reflect.ownKeys(first!)).toEqual(["id", "name", "is_archived", "creator_id"]);
    expect(baselineOf(first!)).toEqual(
      new Map<string, unknown>([
        ["id", 1],
        ["name", "a"],
        ["is_archived", false],
        ["creator_id", 7],
      ]),
    );
  });

  test("copies (spread, structuredClone, Object.create) carry no baseline of their own", async () => {
    const [first] = await readChats();
    expect(baselineOf({ ...first })).toBeUndefined();
    expect(baselineOf(structuredClone({ ...first }))).toBeUndefined();
    expect(baselineOf(Object.create(first!) as object)).toBeUndefined();
  });

  test("remember() replaces the fields it is given and keeps the others", async () => {
    const [first] = await readChats();
    first!.name = "renamed";
    first!.is_archived = true;
    remember(first!, [chat.fields.get("name")!]);
    expect(baselineOf(first!)).toEqual(
      new Map<string, unknown>([
        ["id", 1],
        ["is_archived", false],
        ["creator_id", 7],
        ["name", "renamed"],
      ]),
    );
  });

  test("values that can change in place are kept by content; a frozen object keeps no baseline and does not throw", () => {
    const record: Record<string, unknown> = { data: { tags: ["x"] }, at: new Date(5) };
    remember(record, [thing.fields.get("data")!, thing.fields.get("at")!]);
    (record.data as { tags: string[] }).tags.push("y");
    (record.at as Date).setTime(6);
    expect(baselineOf(record)).toEqual(
      new Map<string, unknown>([
        ["data", 'j{"tags":["x"]}'],
        ["at", 5],
      ]),
    );
    const frozen = Object.freeze({ data: 1 });
    remember(frozen, [thing.fields.get("data")!]);
    expect(baselineOf(frozen)).toBeUndefined();
  });

  test("a datetime's Date compares by instant; a number or text given to the field never equals it", () => {
    const at = thing.fields.get("at")!;
    expect(at.kind).toBe("datetime");
    expect(comparable(at, new Date(5))).toBe(comparable(at, new Date(5)));
    expect(comparable(at, new Date(5))).not.toBe(comparable(at, new Date(6)));
    expect(comparable(at, 5)).not.toBe(comparable(at, new Date(5)));
    expect(comparable(at, "5")).not.toBe(comparable(at, new Date(5)));
    expect(comparable(at, "d5")).not.toBe(comparable(at, new Date(5)));
    expect(comparable(at, 5)).toBe(comparable(at, 5));
    // an invalid Date equals itself, as before
    expect(comparable(at, new Date(Number.NaN))).toBe(comparable(at, new Date(Number.NaN)));
    expect(comparable(at, null)).toBeNull();
  });
});

/** The records of `read`, made by the closure reader and by the compiled one (several rows: both compile). */
function byBothReaders(read: () => object[]): [string, Record<string, unknown>[]][] {
  useCompiledReaders(false);
  const closures = read() as Record<string, unknown>[];
  useCompiledReaders(true);
  return [
    ["closure reader", closures],
    ["compiled reader", read() as Record<string, unknown>[]],
  ];
}

const joined = new SqlCompiler((host) => new JsonAggregate(host, { joins: true }));
const creatorRows = [
  { id: 1, name: "a", is_archived: 0, "creator_id.id": 7, "creator_id.name": "bob" },
  { id: 2, name: "b", is_archived: 1, "creator_id.id": null, "creator_id.name": null },
];

/** The fields save() would write: those whose value no longer compares equal to its baseline. */
function changedFields(record: Record<string, unknown>): string[] {
  const baseline = baselineOf(record);
  if (!baseline) throw new Error("test bug: the record has no baseline");
  return [...baseline]
    .filter(([name, was]) => comparable(chat.fields.get(name)!, record[name]) !== was)
    .map(([n]) => n);
}

describe("hydrated records, by either reader", () => {
  afterEach(() => useCompiledReaders(true));

  test("show their fields only, as plain objects do, keep the model's class and run no constructor", () => {
    let constructed = 0;
    class Custom extends Chat {
      constructor(...args: ConstructorParameters<typeof Chat>) {
        super(...args);
        constructed++;
      }
      label(): string {
        return `#${String(this.id)}`;
      }
    }
    const select = planRead(chat, { fields: ["name", "is_archived"], nested: { creator_id: ["name"] } });
    for (const [reader, records] of byBothReaders(() =>
      joined.read(select, creatorRows, () => Custom.prototype as object),
    )) {
      const [first, second] = records as [Custom & Record<string, unknown>, Record<string, unknown>];
      const plain = { id: 1, name: "a", is_archived: false, creator_id: { id: 7, name: "bob" } };
      expect(first, reader).toEqual(plain);
      expect({ ...first }, reader).toEqual({ ...plain, creator_id: first.creator_id });
      expect(structuredClone({ ...first, creator_id: { ...(first.creator_id as unknown as object) } }), reader).toEqual(
        plain,
      );
      expect(JSON.parse(JSON.stringify(records)), reader).toEqual([
        plain,
        { id: 2, name: "b", is_archived: true, creator_id: null },
      ]);
      expect(Reflect.ownKeys(first), reader).toEqual(["id", "name", "is_archived", "creator_id"]);
      expect(Object.getOwnPropertyNames(first.creator_id), reader).toEqual(["id", "name"]);
      expect(Object.getOwnPropertySymbols(first), reader).toEqual([]);
      expect(Object.getOwnPropertySymbols(first.creator_id), reader).toEqual([]);
      expect(Object.getPrototypeOf(first), reader).toBe(Custom.prototype);
      expect(first, reader).toBeInstanceOf(Chat);
      expect(first.constructor, reader).toBe(Custom);
      expect(first.label(), reader).toBe("#1");
      expect(Object.getPrototypeOf(second), reader).toBe(Custom.prototype);
    }
    expect(constructed).toBe(0);
  });

  test("an object of the record's own prototype, or a copy of a record, has no baseline", () => {
    const select = planRead(chat, { fields: ["name", "is_archived"], nested: { creator_id: ["name"] } });
    for (const [reader, [first]] of byBothReaders(() => joined.read(select, creatorRows))) {
      const proto = Object.getPrototypeOf(first) as object;
      expect(baselineOf(first!), reader).toBeDefined();
      expect(baselineOf(Object.assign(Object.create(proto) as object, first)), reader).toBeUndefined();
      expect(baselineOf(Object.create(proto) as object), reader).toBeUndefined();
      expect(baselineOf({ ...first }), reader).toBeUndefined();
      expect(baselineOf(Object.create(first!) as object), reader).toBeUndefined();
      expect(baselineOf(new Chat({ name: "x" })), reader).toBeUndefined();
      // the nested record's own baseline is its own
      expect(baselineOf(first!.creator_id as object), reader).toEqual(
        new Map<string, unknown>([
          ["id", 7],
          ["name", "bob"],
        ]),
      );
    }
  });

  test("save()'s comparison: stored fields changed, a nested many2one by id, nested lists left out", () => {
    const select = planRead(chat, {
      fields: ["name", "is_archived", "description"],
      nested: { creator_id: ["name"], messages: ["body"] },
    });
    const json = new SqlCompiler();
    const rows = [
      { id: 1, name: "a", is_archived: 0, description: null, creator_id: '{"id":7,"name":"bob"}', messages: "[]" },
      { id: 2, name: "b", is_archived: 1, description: "d", creator_id: null, messages: '[{"id":3,"body":"hi"}]' },
    ];
    for (const [reader, [first, second]] of byBothReaders(() => json.read(select, rows))) {
      expect(changedFields(first!), reader).toEqual([]);
      (first!.creator_id as Record<string, unknown>).name = "renamed in place";
      (second!.messages as unknown[]).push({ id: 4, body: "new" });
      expect([...baselineOf(second!)!.keys()], reader).toEqual([
        "id",
        "name",
        "is_archived",
        "description",
        "creator_id",
      ]);
      expect(changedFields(first!), reader).toEqual([]);
      expect(changedFields(second!), reader).toEqual([]);
      first!.name = "z";
      first!.creator_id = { id: 8 };
      second!.description = null;
      second!.is_archived = true;
      expect(changedFields(first!), reader).toEqual(["name", "creator_id"]);
      expect(changedFields(second!), reader).toEqual(["description"]);
      // what update() wrote is the new baseline
      remember(first!, [chat.fields.get("name")!, chat.fields.get("creator_id")!]);
      expect(changedFields(first!), reader).toEqual([]);
    }
  });
});
