import { describe, expect, test } from "vitest";
import { ValidationError } from "../src/errors.js";
import { toDbValue, validateValue, ValueError } from "../src/model/validate.js";
import { chat, field, message, thing } from "./fixtures.js";

const to = (name: string, value: unknown) => toDbValue(field(thing, name), value);
const refused = (name: string, value: unknown) => () => to(name, value);

describe("integers", () => {
  test.each([
    ["small", -32768, 32767],
    ["count", -2147483648, 2147483647],
    ["big", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ])("%s accepts exactly its range", (name, lo, hi) => {
    expect(to(name, lo)).toBe(lo);
    expect(to(name, hi)).toBe(hi);
    expect(refused(name, lo - 1)).toThrow(/must be between/);
    // hi + 1 is 2^53 for bigInteger: still a distinct, exactly representable double
    expect(refused(name, hi + 1)).toThrow(/must be between/);
  });

  test("numeric strings and bigints convert; anything else is refused", () => {
    expect(to("count", "42")).toBe(42);
    expect(to("count", " -7 ")).toBe(-7);
    expect(to("big", 12n)).toBe(12);
    // 2^53 + 1 would round to 2^53 silently: refused instead
    expect(refused("big", 2n ** 53n + 1n)).toThrow(/must be between/);
    expect(refused("big", "9007199254740993")).toThrow(/must be between/);
    for (const bad of [1.5, "1.5", "1e3", "0x10", "", NaN, Infinity, true, [1]])
      expect(refused("count", bad)).toThrow(ValueError);
  });

  test("the id takes any positive safe integer, whatever the column type", () => {
    expect(toDbValue(chat.id, 2 ** 40)).toBe(2 ** 40);
  });
});

describe("float", () => {
  test("finite numbers and numeric strings", () => {
    expect(to("ratio", 0.25)).toBe(0.25);
    expect(to("ratio", "2.5")).toBe(2.5);
    for (const bad of [NaN, Infinity, -Infinity, "", " ", "abc", false])
      expect(refused("ratio", bad)).toThrow(/finite number/);
  });
});

describe("decimal(6, 2)", () => {
  test("normalises to a plain decimal string", () => {
    expect(to("price", "1234.56")).toBe("1234.56");
    expect(to("price", "-1234.56")).toBe("-1234.56");
    expect(to("price", "0001.50")).toBe("1.5");
    expect(to("price", "+3")).toBe("3");
    expect(to("price", ".5")).toBe("0.5");
    expect(to("price", "-.5")).toBe("-0.5");
    expect(to("price", "7.")).toBe("7");
    expect(to("price", 12.5)).toBe("12.5");
    expect(to("price", " 9.99 ")).toBe("9.99");
  });

  test("refuses more digits than precision and scale allow", () => {
    expect(to("price", "9999.99")).toBe("9999.99");
    expect(refused("price", "10000")).toThrow(/5 digits before the point; precision 6 with scale 2 allows 4/);
    expect(refused("price", "-10000.5")).toThrow(/digits before the point/);
    expect(refused("price", "1.234")).toThrow(/3 digits after the point; the scale allows 2/);
    // trailing zeros carry no digits, leading zeros no magnitude
    expect(to("price", "00009999.9900")).toBe("9999.99");
  });

  test("refuses what is not a decimal, and binary floats that cannot be written exactly", () => {
    for (const bad of ["", ".", "-", "1e5", "1,5", "abc", "1.2.3", NaN, Infinity, true, {}])
      expect(refused("price", bad)).toThrow(ValueError);
    expect(refused("price", 0.1 + 0.2)).toThrow(/digits after the point/);
    expect(refused("price", 1e-7)).toThrow(/pass it as a decimal string/);
  });
});

describe("date, time, datetime", () => {
  test("date: real calendar days only", () => {
    expect(to("day", "2024-02-29")).toBe("2024-02-29");
    for (const bad of [
      "2023-02-29",
      "2024-02-30",
      "2024-13-01",
      "2024-00-10",
      "2024-1-01",
      "2024-01-01T00:00:00Z",
      "",
      20240101,
    ]) {
      expect(refused("day", bad)).toThrow(ValueError);
    }
  });

  test("date: a Date gives its UTC calendar day", () => {
    expect(to("day", new Date("2024-03-01T23:30:00-05:00"))).toBe("2024-03-02");
    expect(refused("day", new Date("nope"))).toThrow(/valid date/);
  });

  test("time: HH:MM[:SS[.ffffff]], seconds added when missing", () => {
    expect(to("clock", "13:45")).toBe("13:45:00");
    expect(to("clock", "00:00:00")).toBe("00:00:00");
    expect(to("clock", "23:59:59.123456")).toBe("23:59:59.123456");
    for (const bad of ["24:00", "12:60", "12:30:60", "1:30", "12:30:00.1234567", "noon", 1230])
      expect(refused("clock", bad)).toThrow(ValueError);
  });

  test("datetime: Date, ISO 8601 string or epoch milliseconds", () => {
    const at = new Date("2024-03-05T06:07:08.123Z");
    expect(to("at", at)).toBe(at);
    expect(to("at", "2024-03-05T06:07:08.123Z")).toEqual(at);
    expect(to("at", "2024-03-05T07:07:08.123+01:00")).toEqual(at);
    expect(to("at", at.getTime())).toEqual(at);
    for (const bad of ["yesterday", "", "03/05/2024", "2024-01-01T25:00:00Z", new Date("nope"), 1e20, true])
      expect(refused("at", bad)).toThrow(ValueError);
  });

  test("datetime: an impossible calendar day is refused, not rolled over into the next month", () => {
    expect(refused("at", "2024-02-30T00:00:00Z")).toThrow(/calendar/);
    expect(refused("at", "2023-02-29")).toThrow(/calendar/);
    expect(to("at", "2024-02-29T23:00:00-05:00")).toEqual(new Date("2024-03-01T04:00:00Z"));
    expect(to("at", "0001-01-01T00:00:00Z")).toEqual(new Date("0001-01-01T00:00:00Z"));
  });
});

describe("json", () => {
  test("plain values, arrays and objects pass unchanged; a shared (non-circular) reference is fine", () => {
    const shared = { x: 1 };
    const doc = {
      a: [1, "two", null, true],
      b: { c: shared, d: shared },
      e: Object.assign(Object.create(null), { f: 1 }),
    };
    expect(to("data", doc)).toBe(doc);
    expect(to("data", "text")).toBe("text");
  });

  test("refuses what JSON cannot hold, saying where", () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = { back: cycle };
    expect(refused("data", cycle)).toThrow(/circular reference at self\.back/);
    expect(refused("data", { f: () => 1 })).toThrow(/function at f/);
    expect(refused("data", [1, NaN])).toThrow(/NaN at \[1\]/);
    expect(refused("data", { n: Infinity })).toThrow(/Infinity at n/);
    expect(refused("data", { when: new Date() })).toThrow(/Date instance at when/);
    expect(refused("data", new Map())).toThrow(/Map instance/);
    expect(refused("data", 1n)).toThrow(/bigint/);
  });
});

describe("text, selection, boolean, binary, many2one", () => {
  test("char counts code points, not UTF-16 units", () => {
    expect(to("code", "😀😀😀")).toBe("😀😀😀");
    expect(refused("code", "😀😀😀😀")).toThrow(/4 characters long; the maximum is 3/);
    expect(refused("code", "abcd")).toThrow(/maximum is 3/);
  });

  test("NUL is refused in char and text (PostgreSQL cannot store it)", () => {
    expect(refused("code", "a\u0000")).toThrow(/NUL/);
    expect(() => toDbValue(field(message, "body"), "a\u0000b")).toThrow(/NUL/);
    expect(refused("code", 5)).toThrow(/must be a string/);
  });

  test("selection takes one of its values", () => {
    expect(to("kind", "a")).toBe("a");
    expect(refused("kind", "A")).toThrow(/must be one of "a", "b", got "A"/);
    expect(refused("kind", 1)).toThrow(/must be one of/);
  });

  test("boolean takes booleans only", () => {
    expect(to("flag", false)).toBe(false);
    for (const bad of ["true", 1, 0]) expect(refused("flag", bad)).toThrow(/true or false/);
  });

  test("binary takes bytes", () => {
    const bytes = new Uint8Array([1, 2]);
    expect(to("blob", bytes)).toBe(bytes);
    expect(to("blob", Buffer.from("hi"))).toEqual(Buffer.from("hi"));
    expect(refused("blob", "hi")).toThrow(/Uint8Array/);
  });

  test("many2one takes a positive id or a record", () => {
    const creator = field(chat, "creator_id");
    expect(toDbValue(creator, 5)).toBe(5);
    expect(toDbValue(creator, { id: 5, name: "Ann" })).toBe(5);
    for (const bad of [0, -1, 1.5, "5", { id: "5" }, {}])
      expect(() => toDbValue(creator, bad)).toThrow(/id \(a positive integer\) of a users record/);
  });
});

describe("null, undefined and the error raised", () => {
  test("null passes for every kind (required-ness is the caller's check); undefined never", () => {
    for (const name of ["small", "price", "day", "data", "kind", "blob", "code"]) expect(to(name, null)).toBeNull();
    expect(refused("code", undefined)).toThrow(/must not be undefined/);
  });

  test("validateValue turns a refusal into a ValidationError naming model and field", () => {
    let error: unknown;
    try {
      validateValue(field(thing, "small"), 40000);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: "small", model: "things" });
    expect((error as Error).message).toBe(
      "things.small must be between -32768 and 32767 for a smallInteger field, got 40000",
    );
  });
});

describe("float and decimal edge notation", () => {
  test("float takes decimal strings only; a negative zero decimal is zero", async () => {
    const { f: fields, model: m, toDbValue: conv } = await import("../src/index.js");
    const M = m("edge_notation", { x: fields.float(), d: fields.decimal({ precision: 5, scale: 2 }) });
    const x = M.meta.fields.get("x")!;
    const d = M.meta.fields.get("d")!;
    expect(conv(x, "1.5e3")).toBe(1500);
    expect(() => conv(x, "0x10")).toThrow(/finite number/);
    expect(() => conv(x, "Infinity")).toThrow(/finite number/);
    expect(conv(d, "-0.00")).toBe("0");
    expect(conv(d, "-0.50")).toBe("-0.5");
  });
});
