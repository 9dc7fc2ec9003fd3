import { describe, expect, test } from "vitest";
import { decodeValue } from "../src/hydrate/decode-value.js";
import { hydrate } from "../src/hydrate/hydrate.js";
import { baselineOf, comparable, remember } from "../src/model/record-state.js";
import { planRead } from "../src/query/plan-read.js";
import { chat, thing } from "./fixtures.js";

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
