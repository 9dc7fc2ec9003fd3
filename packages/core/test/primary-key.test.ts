import { describe, expect, test } from "vitest";
import { ValidationError } from "../src/errors.js";
import { f } from "../src/model/f.js";
import { model } from "../src/define/model.js";
import { rowId, uuid7 } from "../src/model/primary-key.js";
import { checkId, idFromText } from "../src/model/validate.js";

describe("uuid7", () => {
  test("is a version-7, variant-10 UUID whose first 48 bits are the current millisecond", () => {
    const before = Date.now();
    const id = uuid7();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now());
  });

  test("ids made one after the other sort in the order they were made, even within one millisecond", () => {
    const ids = Array.from({ length: 5000 }, () => uuid7());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe("ids of declared keys", () => {
  const Token = model("tokens", { id: f.uuid({ primaryKey: true, default: "uuid7" }) });
  const Country = model("countries", { id: f.char({ primaryKey: true, maxLength: 2 }) });
  const Plain = model("plain", { n: f.integer() });

  test("checkId reads each key's type: uuids lower-cased, chars within maxLength, identities positive integers", () => {
    expect(checkId(Token.meta, "0190A0B2-0000-7000-8000-00000000000A")).toBe("0190a0b2-0000-7000-8000-00000000000a");
    expect(() => checkId(Token.meta, "0190a0b2")).toThrow(ValidationError);
    expect(() => checkId(Country.meta, "fra")).toThrow(/maximum is 2/);
    expect(() => checkId(Country.meta, null)).toThrow(ValidationError);
    expect(checkId(Plain.meta, 3)).toBe(3);
    expect(() => checkId(Plain.meta, "3")).toThrow(/positive integers/);
    expect(idFromText(Plain.meta, "42")).toBe(42);
    expect(idFromText(Country.meta, "fr")).toBe("fr");
  });

  test("rowId gives numbers for integer keys and strings otherwise", () => {
    expect(rowId("integer", "7")).toBe(7);
    expect(rowId("uuid", "0190A0B2-0000-7000-8000-00000000000A")).toBe("0190a0b2-0000-7000-8000-00000000000a");
    expect(rowId("char", 12)).toBe("12");
  });
});
