import { decodeValue, type FieldMeta, f, model } from "@dotorm/core";
import { describe, expect, test, vi } from "vitest";
import { MysqlCompiler } from "../src/mysql-compiler.js";

// Compiled row readers decode each column with the compiler's per-field decoder.
const Owner = model("cd_owners", { name: f.char() });
const Item = model("cd_items", {
  label: f.char(),
  note: f.text(),
  kind: f.selection({ options: [["a", "A"]] }),
  count: f.integer(),
  big: f.bigInteger(),
  flag: f.boolean(),
  at: f.datetime(),
  day: f.date(),
  clock: f.time(),
  price: f.decimal({ precision: 6, scale: 2 }),
  owner_id: f.many2one(() => Owner),
});
const samples = [
  null,
  undefined,
  0,
  1,
  7,
  2 ** 60,
  "12",
  "1",
  "t",
  "2026-12-01 10:30:00",
  "10:30:00",
  new Date(5),
  1.5,
];

describe("MysqlCompiler.columnDecoder", () => {
  test("decodes every value as decode(field, raw, false) does", () => {
    const compiler = new MysqlCompiler();
    for (const field of Item.meta.fields.values()) {
      if (field.kind === "one2many" || field.kind === "many2many") continue;
      const column = compiler.columnDecoder(field as FieldMeta);
      for (const raw of samples) {
        const expected = (() => {
          try {
            return { value: compiler.decode(field as FieldMeta, raw, false) };
          } catch (e) {
            return { error: String(e) };
          }
        })();
        const actual = (() => {
          try {
            return { value: column(raw) };
          } catch (e) {
            return { error: String(e) };
          }
        })();
        expect(actual, `${field.name} ${String(raw)}`).toEqual(expected);
      }
    }
  });

  test("values mysql2 hands over in their final form are not decoded again", () => {
    const compiler = new MysqlCompiler();
    const decode = vi.spyOn(compiler, "decode");
    const fields = Item.meta.fields;
    const column = (name: string) => compiler.columnDecoder(fields.get(name) as FieldMeta);
    expect(column("label")("x")).toBe("x");
    expect(column("count")(3)).toBe(3);
    expect(column("owner_id")(4)).toBe(4);
    expect(column("flag")(1)).toBe(true);
    const at = new Date(5);
    expect(column("at")(at)).toBe(at);
    expect(decode).not.toHaveBeenCalled();
    expect(column("count")("3")).toBe(decodeValue(fields.get("count") as FieldMeta, "3"));
    expect(decode).toHaveBeenCalledTimes(1);
  });
});
