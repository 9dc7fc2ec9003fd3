import { describe, expect, test } from "vitest";
import { QueryError } from "../src/errors.js";
import { shown } from "../src/model/shown.js";
import { checkId } from "../src/model/validate.js";
import { planFilter } from "../src/query/plan-read.js";
import { thing } from "./fixtures.js";

const cycle: Record<string, unknown> = {};
cycle.self = cycle;
const trapped = new Proxy(
  {},
  {
    get() {
      throw new Error("trap");
    },
    ownKeys() {
      throw new Error("trap");
    },
  },
);
const badJson = {
  toJSON: () => {
    throw new Error("toJSON");
  },
};
const hostile: unknown[] = [12n, cycle, trapped, badJson, Symbol("s"), () => 1, undefined, "x".repeat(500)];

describe("shown", () => {
  test("shows any value without throwing, bigints with their n, long text cut", () => {
    expect(shown(12n)).toBe("12n");
    expect(shown([1n, "a"])).toBe('["1n","a"]');
    expect(shown(cycle)).toBe("an object");
    expect(shown(trapped)).toBe("an object");
    expect(shown(badJson)).toBe("an object");
    expect(shown(Symbol("s"))).toBe("symbol");
    expect(shown(undefined)).toBe("undefined");
    expect(shown("x".repeat(500))).toHaveLength(80);
    expect(shown({ a: 1 })).toBe('{"a":1}');
  });

  test("a hostile id or filter item gets the typed error naming it, never a TypeError from the message", () => {
    for (const value of hostile) {
      expect(() => checkId(thing, value), String(typeof value)).toThrow(QueryError);
      expect(() => planFilter(thing, [value]), String(typeof value)).toThrow(QueryError);
      expect(() => planFilter(thing, [["count", value, 1]]), String(typeof value)).toThrow(QueryError);
    }
    expect(() => checkId(thing, 12n)).toThrow("ids are positive integers, got 12n");
  });
});
