import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { decodeValue, parseOffsetDateTime, parseUtcDateTime } from "../src/hydrate/decode-value.js";
import { thing } from "./fixtures.js";

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

describe("parseOffsetDateTime: timestamptz text inside JSON, as new Date reads it", () => {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");

  test("any instant, 0 to 9 fraction digits, Z or any offset: the instant new Date gives", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0001-01-02T00:00:00Z"),
          max: new Date("9999-12-30T23:59:59.999Z"),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 9 }),
        fc.option(
          fc.tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })),
        ),
        fc.stringMatching(/^[0-9]{9}$/),
        (date, places, offset, fraction) => {
          const text = `${date.toISOString().slice(0, 19)}${places === 0 ? "" : `.${fraction.slice(0, places)}`}${
            offset ? `${offset[0]}${pad(offset[1])}:${pad(offset[2])}` : "Z"
          }`;
          expect(parseOffsetDateTime(text)?.getTime(), text).toBe(new Date(text).getTime());
        },
      ),
    );
  });

  test("PostgreSQL's form, years below 100, offsets across a day or a year", () => {
    for (const text of [
      "2026-12-01T13:38:54.60662+00:00",
      "0042-03-04T05:06:07+00:00",
      "0001-01-01T00:30:00+01:00",
      "2024-02-29T23:59:59.999-23:59",
      "2024-12-31T23:00:00-05:00",
      "2000-02-29T12:00:00Z",
      "0000-02-29T00:00:00Z",
      "2023-02-28T23:59:59.5+00:30",
    ])
      expect(parseOffsetDateTime(text)?.getTime(), text).toBe(new Date(text).getTime());
  });

  test("anything else is left to the general parser (undefined), which decodeValue then uses", () => {
    for (const bad of [
      "2024-01-01T00:00:00", // no offset: local time
      "2024-01-01 00:00:00+00:00",
      "2024-02-30T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01T00:00:00.+00:00",
      "2024-01-01T00:00:00+24:00",
      "2024-01-01T00:00:00+0000",
      "2024-01-01T00:00:00z",
      "2024-01-01T00:00:00.12x+00:00",
      "2024-1-01T00:00:00Z",
      "",
    ]) {
      expect(parseOffsetDateTime(bad), bad).toBeUndefined();
      const at = decodeValue(thing.fields.get("at")!, bad) as Date;
      expect(at.getTime(), bad).toEqual(new Date(bad).getTime());
    }
  });
});
