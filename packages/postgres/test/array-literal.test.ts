import { describe, expect, test } from "vitest";
import { arrayLiteral } from "../src/array-literal.js";

describe("arrayLiteral", () => {
  test("quotes strings, escaping quotes and backslashes; NULLs, numbers, booleans, dates", () => {
    expect(arrayLiteral(["a", 'say "hi"', "back\\slash", "", "NULL", null], "text")).toBe(
      '{"a","say \\"hi\\"","back\\\\slash","","NULL",NULL}',
    );
    expect(arrayLiteral([1, -2.5, null], "float")).toBe("{1,-2.5,NULL}");
    expect(arrayLiteral([true, false], "boolean")).toBe("{t,f}");
    expect(arrayLiteral([new Date("2024-01-02T03:04:05.006Z")], "datetime")).toBe('{"2024-01-02T03:04:05.006Z"}');
  });

  test("leaves bytes and unknown values to pg", () => {
    expect(arrayLiteral([Buffer.from([1])], "binary")).toBeUndefined();
    expect(arrayLiteral([{ a: 1 }], "text")).toBeUndefined();
  });
});
