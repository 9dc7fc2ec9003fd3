import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseUtcDateTime } from "../src/hydrate/decode-value.js";

const iso = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");

describe("parseUtcDateTime: DATETIME text read as UTC without the general date parser", () => {
  test("any instant from year 1 to 9999, with 0 to 6 fraction digits, reads as the same instant", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59.999Z"),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 6 }),
        (date, places) => {
          const text = iso(date); // "YYYY-MM-DD HH:MM:SS.mmm"
          const cut =
            places === 0
              ? text.slice(0, 19)
              : places <= 3
                ? text.slice(0, 20 + places)
                : `${text}${"7".repeat(places - 3)}`;
          const expected = new Date(date);
          expected.setUTCMilliseconds(
            places === 0 ? 0 : Number(text.slice(20, 20 + Math.min(places, 3)).padEnd(3, "0")),
          );
          expect(parseUtcDateTime(cut)?.getTime()).toBe(expected.getTime());
        },
      ),
    );
  });

  test("years below 100 are not shifted to the 1900s", () => {
    expect(parseUtcDateTime("0042-03-04 05:06:07")?.toISOString()).toBe("0042-03-04T05:06:07.000Z");
  });

  test("anything else is left to the general parser (undefined)", () => {
    for (const bad of [
      "2024-02-30 00:00:00",
      "2024-13-01 00:00:00",
      "2024-01-01T00:00:00",
      "2024-01-01 24:00:00",
      "2024-01-01 00:00:00Z",
      "2024-01-01 00:00:00.12x",
      "2024-1-01 00:00:00",
      "",
    ]) {
      expect(parseUtcDateTime(bad), bad).toBeUndefined();
    }
  });
});
