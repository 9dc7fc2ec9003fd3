import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { checkFilterJson, checkQuery } from "../src/quick-checks.js";
import { filterSchema, getQuery, listQuery } from "../src/request-schemas.js";
import { validate } from "../src/validate.js";

/** What a call returns, or the 400 it throws (status, message and details), for comparing two checks. */
function outcome(fn: () => unknown): unknown {
  try {
    return { ok: fn() };
  } catch (e) {
    return { refused: JSON.parse(JSON.stringify(e)), message: (e as Error).message };
  }
}

const listKeys = new Set(Object.keys(listQuery.shape));
const getKeys = new Set(Object.keys(getQuery.shape));

describe("the hand-written list query and filter checks answer exactly as the zod schemas", () => {
  const text = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom("asc", "desc", "DESC", "0", "20", "007", "-1", "1.5", "1e3", "9".repeat(15), "9".repeat(16)),
    fc.constantFrom("abc_-9", "a+b", "a b", "x".repeat(1_025), "x".repeat(4_097), "x".repeat(8_193)),
  );
  const key = fc.constantFrom(...listKeys, "q", "__proto__", "constructor", "Limit", "");

  test("property: any query object", () => {
    fc.assert(
      fc.property(fc.dictionary(key, text, { maxKeys: 5 }), (raw) => {
        for (const [schema, keys] of [
          [listQuery, listKeys],
          [getQuery, getKeys],
        ] as const) {
          expect(outcome(() => checkQuery(schema, keys, raw))).toEqual(outcome(() => validate(schema, raw, "query")));
        }
      }),
      { numRuns: 2_000 },
    );
  });

  test("property: any JSON value as a filter", () => {
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        fc.string({ maxLength: 8 }),
        fc.double(),
        fc.integer(),
        fc.constantFrom(true, false, null, "x".repeat(65_537)),
        fc.array(tie("v"), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 3 }), tie("v"), { maxKeys: 2 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(outcome(() => checkFilterJson(filterSchema, v))).toEqual(
          outcome(() => validate(filterSchema, v, "filter")),
        );
      }),
      { numRuns: 2_000 },
    );
  });

  test("list bounds: 1,000 items at the top, 10,000 in a group", () => {
    const top = Array.from({ length: 1_001 }, () => ["id", "=", 1]);
    expect(outcome(() => checkFilterJson(filterSchema, top))).toEqual(
      outcome(() => validate(filterSchema, top, "filter")),
    );
    expect(outcome(() => checkFilterJson(filterSchema, top))).toHaveProperty("refused");
    const group = [["id", "in", Array.from({ length: 10_000 }, (_, i) => i)]];
    expect(checkFilterJson(filterSchema, group)).toEqual(group);
    const big = [["id", "in", Array.from({ length: 10_001 }, (_, i) => i)]];
    expect(outcome(() => checkFilterJson(filterSchema, big))).toHaveProperty("refused");
  });

  test("a valid list query comes back with its counts as numbers", () => {
    const raw = { filter: "[]", fields: "name", order: "id", sort: "desc", limit: "20", offset: "040" } as const;
    expect(checkQuery(listQuery, listKeys, { ...raw })).toEqual({ ...raw, limit: 20, offset: 40 });
    expect(checkQuery(listQuery, listKeys, { ...raw })).toEqual(validate(listQuery, { ...raw }, "query"));
  });
});
