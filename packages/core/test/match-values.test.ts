import { describe, expect, test } from "vitest";
import { type ExistsProbe, matchValues } from "../src/access/match-values.js";
import { f, model, parseFilter, toDbValue } from "../src/index.js";

const Owner = model("mv_owners", { name: f.char() });
const Note = model("mv_notes", {
  title: f.char(),
  score: f.integer(),
  at: f.datetime(),
  owner_id: f.many2one(() => Owner),
  amount: f.decimal({ precision: 12, scale: 4 }),
  day: f.date(),
  clock: f.time(),
  blob: f.binary(),
});

/** The row as create would hold it: each value converted for the database, as prepareCreate does. */
const row = (values: Record<string, unknown>) =>
  new Map(
    [...Note.meta.fields.values()]
      .filter((fm) => fm.name in values)
      .map((fm) => [fm, values[fm.name] === null ? null : toDbValue(fm, values[fm.name])]),
  );
const never: ExistsProbe = async () => false;
const match = (filter: unknown[], values: Record<string, unknown>, probe: ExistsProbe = never) =>
  matchValues(parseFilter(Note.meta, filter)!, row(values), probe);

describe("matchValues (create rules checked before insert)", () => {
  test("comparisons, null semantics and negative operators", async () => {
    expect(await match([["score", ">", 3]], { score: 5 })).toBe(true);
    expect(await match([["score", ">", 3]], { score: null })).toBe(false);
    expect(await match([["score", "!=", 3]], { score: null })).toBe(true); // negative operators match empty values
    expect(await match([["score", "=", null]], {})).toBe(true);
    expect(await match([["score", "in", [1, 2]], "or", ["title", "=", "x"]], { score: 9, title: "x" })).toBe(true);
    expect(await match([["score", "not in", [1, 2]]], { score: 2 })).toBe(false);
    expect(await match([["score", "between", [1, 3]]], { score: 3 })).toBe(true);
    expect(await match([["not", ["score", "=", 1]]], { score: 1 })).toBe(false);
    expect(await match([["at", ">=", "2024-01-01T00:00:00Z"]], { at: new Date("2024-06-01T00:00:00Z") })).toBe(true);
  });

  test("like patterns take % and _ literally, ilike ignores case", async () => {
    expect(await match([["title", "ilike", "50%"]], { title: "Sale 50% OFF" })).toBe(true);
    expect(await match([["title", "like", "50%"]], { title: "Sale 500 OFF" })).toBe(false);
    expect(await match([["title", "=like", "a_c"]], { title: "abc" })).toBe(true);
    expect(await match([["title", "not ilike", "x"]], { title: "XYZ" })).toBe(false);
  });

  test("a dotted path through a many2one asks the database; other relations cannot match yet", async () => {
    const asked: unknown[] = [];
    const probe = async (_via: unknown, value: unknown) => {
      asked.push(value);
      return value === 7;
    };
    expect(await match([["owner_id.name", "=", "Ann"]], { owner_id: 7 }, probe)).toBe(true);
    expect(await match([["owner_id.name", "=", "Ann"]], { owner_id: 8 }, probe)).toBe(false);
    expect(await match([["owner_id.name", "=", "Ann"]], { owner_id: null }, probe)).toBe(false);
    expect(asked).toEqual([7, 8]);
  });

  test("decimals compare exactly by value, never as text (issue 11 item 7: under amount < 2, 100000 and 10 are refused, 1.5 admitted)", async () => {
    expect(await match([["amount", "<", 2]], { amount: 100000 })).toBe(false);
    expect(await match([["amount", "<", 2]], { amount: "10" })).toBe(false);
    expect(await match([["amount", "<", 2]], { amount: 9 })).toBe(false);
    expect(await match([["amount", "<", 2]], { amount: "1.5" })).toBe(true);
    expect(await match([["amount", "<", "-0.5"]], { amount: "-0.75" })).toBe(true);
    expect(await match([["amount", ">", "-0.5"]], { amount: "-0.0005" })).toBe(true);
    expect(await match([["amount", "=", "12.50"]], { amount: 12.5 })).toBe(true);
    expect(await match([["amount", "in", ["0.1", "7"]]], { amount: "0.10" })).toBe(true);
    expect(await match([["amount", "between", ["0.05", "0.5"]]], { amount: "0.1" })).toBe(true);
    expect(await match([["amount", ">=", "-0"]], { amount: "0" })).toBe(true);
    expect(await match([["amount", ">", "9999999.9999"]], { amount: "10000000" })).toBe(true);
  });

  test("datetimes compare as instants, times by microseconds, dates by day, text by code point, bytes one by one", async () => {
    const at = { at: new Date("2024-05-17T23:30:00.250Z") };
    expect(await match([["at", "=", "2024-05-18T01:30:00.250+02:00"]], at)).toBe(true);
    expect(await match([["at", "<", "2024-05-18T01:30:00.251+02:00"]], at)).toBe(true);
    expect(await match([["clock", "=", "12:30:00.50"]], { clock: "12:30:00.5" })).toBe(true);
    expect(await match([["clock", ">", "12:30:00.5"]], { clock: "12:30:00.05" })).toBe(false);
    expect(await match([["clock", "<", "12:30"]], { clock: "09:59:59.999999" })).toBe(true);
    expect(await match([["day", "<", "2024-10-01"]], { day: "2024-09-30" })).toBe(true);
    // U+FF5E sorts before U+1F600 by code point (and in UTF-8 bytes), after it in UTF-16 code units
    expect(await match([["title", "<", "\u{1F600}"]], { title: "\uFF5E" })).toBe(true);
    expect(await match([["title", "<", "a"]], { title: "B" })).toBe(true);
    expect(await match([["blob", "=", new Uint8Array([1, 2])]], { blob: new Uint8Array([1, 2]) })).toBe(true);
    expect(await match([["blob", "!=", new Uint8Array([1, 2])]], { blob: new Uint8Array([1, 3]) })).toBe(true);
  });

  test("date parts of a rule are computed from the value in UTC", async () => {
    const late = { at: new Date("2024-12-31T23:30:00Z"), day: "2023-02-28" };
    expect(
      await match(
        [
          ["at.year", "=", 2024],
          ["at.month", "=", 12],
          ["at.day", "=", 31],
        ],
        late,
      ),
    ).toBe(true);
    expect(await match([["at.date", "=", "2024-12-31"]], late)).toBe(true);
    expect(
      await match(
        [
          ["day.year", "<", 2024],
          ["day.month", "in", [2, 3]],
        ],
        late,
      ),
    ).toBe(true);
    expect(await match([["at.year", "=", 2024]], { at: null })).toBe(false);
    expect(await match([["at.year", "!=", 2024]], { at: null })).toBe(true);
  });
});
