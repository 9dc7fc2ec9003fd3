import { describe, expect, test } from "vitest";
import { onCI } from "../src/context.js";

// migrate up/down show a spinner on a terminal unless onCI() holds.
describe("cli onCI(): which CI values count", () => {
  test("set to a true-ish value: CI", () => {
    for (const CI of ["true", "1", "TRUE", "yes"]) expect(onCI({ CI }), CI).toBe(true);
  });
  test('unset, empty, "0" or "false" (any case): not CI', () => {
    expect(onCI({})).toBe(false);
    for (const CI of ["", "0", "false", "False"]) expect(onCI({ CI }), JSON.stringify(CI)).toBe(false);
  });
});
