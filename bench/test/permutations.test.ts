import { describe, expect, test } from "vitest";
import { permutations } from "../src/harness.js";

describe("the bench's orders of sides", () => {
  test("three sides: six distinct orders, each side first twice and right after each other side equally often", () => {
    const orders = permutations(["orm", "raw", "ctl"]);
    expect(new Set(orders.map((o) => o.join(","))).size).toBe(6);
    for (const side of ["orm", "raw", "ctl"]) expect(orders.filter((o) => o[0] === side)).toHaveLength(2);
    const follows = new Map<string, number>();
    for (const o of orders)
      for (let i = 1; i < o.length; i++)
        follows.set(`${o[i - 1]}>${o[i]}`, (follows.get(`${o[i - 1]}>${o[i]}`) ?? 0) + 1);
    // every ordered pair of sides is adjacent in two of the six orders (a rotation gives three pairs only)
    expect(follows.size).toBe(6);
    expect(new Set(follows.values())).toEqual(new Set([2]));
  });

  test("two sides take both orders; one side has one", () => {
    expect(permutations(["a", "b"])).toEqual([
      ["a", "b"],
      ["b", "a"],
    ]);
    expect(permutations(["a"])).toEqual([["a"]]);
  });
});
