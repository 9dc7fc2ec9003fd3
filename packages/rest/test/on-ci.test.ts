import { onCI } from "@dotorm/testkit";
import { describe, expect, test } from "vitest";

// The harnesses fail a database suite whose server is down when onCI() holds, and skip it otherwise.
describe("testkit onCI(): which CI values count", () => {
  test("set to a true-ish value: CI", () => {
    for (const CI of ["true", "1", "TRUE", "yes", "github"]) expect(onCI({ CI }), CI).toBe(true);
  });
  test('unset, empty, "0" or "false" (any case): not CI', () => {
    expect(onCI({})).toBe(false);
    for (const CI of ["", " ", "0", "false", "False", "FALSE "]) expect(onCI({ CI }), JSON.stringify(CI)).toBe(false);
  });
});
