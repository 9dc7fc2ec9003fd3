import { describe, expect, test } from "vitest";
import { type ExistsProbe, matchValues } from "../src/access/match-values.js";
import { f, model, parseFilter } from "../src/index.js";

const Owner = model("mv_owners", { name: f.char() });
const Note = model("mv_notes", {
  title: f.char(),
  score: f.integer(),
  at: f.datetime(),
  owner_id: f.many2one(() => Owner),
});

const row = (values: Record<string, unknown>) => new Map([...Note.meta.fields.values()].filter((fm) => fm.name in values).map((fm) => [fm, values[fm.name]]));
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
});
