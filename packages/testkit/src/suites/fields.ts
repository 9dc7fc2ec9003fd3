import { ValidationError, connect, f, model } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Values outside the compile-time types, as callers without types send them. */
const untyped = (value: unknown) => value as never;

/** A decimal string without insignificant zeros, so "12.50" and "12.5" compare equal across dialects. */
const canonical = (s: string) => s.replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");

/** Round trip of every scalar field type, and validation that refuses bad values before any SQL. */
export function fields(target: ConformanceTarget) {
  return suite("fields", target, (ctx) => {
    test("integers keep their full range per type; bigInteger the safe-integer range", async () => {
      const { Thing } = ctx();
      const rows = [
        { label: "min", small: -32768, count: -2147483648, big: Number.MIN_SAFE_INTEGER },
        { label: "max", small: 32767, count: 2147483647, big: Number.MAX_SAFE_INTEGER },
      ];
      const ids = await Thing.createMany(rows);
      const back = await Thing.search({
        filter: [["id", "in", ids]],
        fields: ["label", "small", "count", "big"],
        order: "id",
      });
      expect(back.map(({ id: _, ...r }) => r)).toEqual(rows);
      expect(
        await Thing.count({
          filter: [
            ["id", "in", ids],
            ["big", "=", Number.MAX_SAFE_INTEGER],
          ],
        }),
      ).toBe(1);
    });

    test("float, decimal (a string, exact), boolean, selection", async () => {
      const { Thing } = ctx();
      const id = await Thing.create({ label: "num", ratio: -1234.5678, price: "12345678.99", flag: false, kind: "b" });
      const row = await Thing.get(id, { fields: ["ratio", "price", "flag", "kind"] });
      expect(row.ratio).toBe(-1234.5678);
      expect(typeof row.price).toBe("string");
      expect(canonical(row.price as string)).toBe("12345678.99");
      expect(row.flag).toBe(false);
      expect(row.kind).toBe("b");
      const small = await Thing.create({ label: "dec", price: 0.1, flag: true });
      const other = await Thing.get(small, { fields: ["price", "flag"] });
      expect(canonical(other.price as string)).toBe("0.1");
      expect(other.flag).toBe(true);
      await Thing.updateMany([small], { price: "-0.05" });
      expect(canonical((await Thing.get(small)).price as string)).toBe("-0.05");
    });

    test("datetime is a Date with millisecond precision; date is YYYY-MM-DD; time is HH:MM:SS", async () => {
      const { Thing } = ctx();
      const at = new Date("2024-03-05T06:07:08.123Z");
      const id = await Thing.create({ label: "time", at, day: "2024-02-29", clock: "13:45:30" });
      const row = await Thing.get(id, { fields: ["at", "day", "clock"] });
      expect(row.at).toBeInstanceOf(Date);
      expect(row.at?.getTime()).toBe(at.getTime());
      expect(row.day).toBe("2024-02-29");
      expect(row.clock).toBe("13:45:30");
      const fromStrings = await Thing.create({
        label: "time2",
        at: "2024-12-31T23:59:59.999Z",
        day: new Date("2025-01-02T00:00:00Z"),
        clock: "07:05",
      });
      const second = await Thing.get(fromStrings, { fields: ["at", "day", "clock"] });
      expect(second.at?.toISOString()).toBe("2024-12-31T23:59:59.999Z");
      expect(second.day).toBe("2025-01-02");
      expect(second.clock).toBe("07:05:00");
      expect(
        await Thing.count({
          filter: [
            ["id", "=", id],
            ["at", "=", at],
          ],
        }),
      ).toBe(1);
    });

    test("a datetime default of now is one instant for every record of a createMany, between the call's start and end", async () => {
      const { Chat, ChatMessage, User } = ctx();
      const chat = await Chat.create({ name: "clock", creator_id: await User.create({ name: "clock" }) });
      const before = Date.now();
      const ids = await ChatMessage.createMany(
        Array.from({ length: 300 }, (_, i) => ({ chat_id: chat, body: `tick ${i}` })),
      );
      const after = Date.now();
      const stamps = new Set(
        (await ChatMessage.search({ filter: [["id", "in", ids]], fields: ["created_at"] })).map((m) =>
          m.created_at?.getTime(),
        ),
      );
      expect(stamps.size).toBe(1);
      const [stamp] = [...stamps] as number[];
      expect(stamp).toBeGreaterThanOrEqual(before);
      expect(stamp).toBeLessThanOrEqual(after);
    });

    test("a function default is called for each record that leaves the field out, and a given value wins", async () => {
      let calls = 0;
      const Ticket = model(`${ctx().prefix}_tickets`, {
        title: f.char({ maxLength: 20, required: true }),
        code: f.char({ maxLength: 20, default: () => `T-${++calls}` }),
        level: f.integer({ default: () => 7 }),
        due: f.date({ default: () => "2030-01-02" }),
      });
      // never closed: closing would close the suite's adapter, which the harness closes
      const db = await connect(ctx().db.adapter, { models: [Ticket] });
      await db.sync();
      const ids = await Ticket.createMany([
        { title: "one" },
        { title: "two", code: "given", level: 9 },
        { title: "three" },
      ]);
      const rows = await Ticket.search({
        filter: [["id", "in", ids]],
        fields: ["title", "code", "level", "due"],
        order: "id",
      });
      expect(rows.map((r) => [r.title, r.code, r.level, r.due])).toEqual([
        ["one", "T-1", 7, "2030-01-02"],
        ["two", "given", 9, "2030-01-02"],
        ["three", "T-2", 7, "2030-01-02"],
      ]);
      expect(await Ticket.get(await Ticket.create({ title: "four" }), { fields: ["code"] })).toMatchObject({
        code: "T-3",
      });
      expect(calls).toBe(3);
    });

    test("json keeps objects, arrays, strings and numbers; binary keeps every byte", async () => {
      const { Thing } = ctx();
      const values = [{ a: 1, b: [1, "x", null], c: { d: true, e: "ünï" } }, [1, 2, [3]], "just a string", 42.5, false];
      const ids = await Thing.createMany(values.map((data, i) => ({ label: `json${i}`, data })));
      const rows = await Thing.search({ filter: [["id", "in", ids]], fields: ["data"], order: "id" });
      expect(rows.map((r) => r.data)).toEqual(values);
      const bytes = Uint8Array.from([0, 1, 2, 127, 128, 254, 255, 0]);
      const id = await Thing.create({ label: "bin", blob: bytes });
      const { blob } = await Thing.get(id, { fields: ["blob"] });
      expect(blob).toBeInstanceOf(Uint8Array);
      expect(Array.from(blob as Uint8Array)).toEqual(Array.from(bytes));
    });

    test("edge values: doubles to the last bit, decimal bounds, pre-epoch instants, empty strings and bytes, JSON null", async () => {
      const { Thing, db } = ctx();
      // the extremes of the database's date range (1 to 9999 unless the adapter says narrower)
      const [firstYear, lastYear] = db.adapter.capabilities.yearRange ?? [1, 2999];
      const late = `${String(lastYear).padStart(4, "0")}-12-31T23:59:59.999Z`;
      const early = `${String(firstYear).padStart(4, "0")}-01-01`;
      if (db.adapter.capabilities.yearRange) {
        // outside the range: refused, never clamped to another date
        await expect(
          Thing.create({ label: "far", at: new Date(`${lastYear + 1}-01-01T00:00:00Z`) }),
        ).rejects.toBeInstanceOf(ValidationError);
        await expect(
          Thing.create({ label: "far", day: `${String(firstYear - 1).padStart(4, "0")}-12-31` }),
        ).rejects.toBeInstanceOf(ValidationError);
        // refused before anything is written, even when the bad row comes after good ones
        const before = await Thing.count();
        const batch = [
          { label: "in range", at: new Date("2000-01-01T00:00:00Z") },
          { label: "far", at: new Date(`${lastYear + 1}-06-01T00:00:00Z`) },
        ];
        await expect(Thing.createMany(batch)).rejects.toBeInstanceOf(ValidationError);
        expect(await Thing.count()).toBe(before);
        // an update is refused the same way, and leaves the value as it was
        const kept = await Thing.create({ label: "kept", at: new Date("2000-01-01T00:00:00Z") });
        const tooEarly = new Date(Date.UTC(2000, 0, 1));
        tooEarly.setUTCFullYear(firstYear - 1);
        await expect((await Thing.get(kept)).update({ at: tooEarly })).rejects.toBeInstanceOf(ValidationError);
        await expect(
          Thing.updateMany([kept], { day: `${String(firstYear - 1).padStart(4, "0")}-06-01` }),
        ).rejects.toBeInstanceOf(ValidationError);
        expect((await Thing.get(kept, { fields: ["at"] })).at?.toISOString()).toBe("2000-01-01T00:00:00.000Z");
      }
      const rows = [
        {
          label: "e1",
          ratio: 0.1 + 0.2,
          price: "-99999999.99",
          at: new Date("1969-07-20T20:17:40.001Z"),
          notes: "",
          blob: new Uint8Array(0),
        },
        { label: "e2", ratio: Number.MAX_VALUE, price: "99999999.99", at: new Date(late), notes: null, data: null },
        { label: "e3", ratio: 5e-324, price: "0", day: early },
      ];
      const ids = await Thing.createMany(rows);
      const back = await Thing.search({
        filter: [["id", "in", ids]],
        fields: ["ratio", "price", "at", "notes", "blob", "data", "day"],
        order: "id",
      });
      expect(back.map((r) => r.ratio)).toEqual([0.1 + 0.2, Number.MAX_VALUE, 5e-324]);
      expect(back.map((r) => canonical(r.price as string))).toEqual(["-99999999.99", "99999999.99", "0"]);
      expect(back.map((r) => r.at?.toISOString() ?? null)).toEqual(["1969-07-20T20:17:40.001Z", late, null]);
      expect(back.map((r) => r.notes)).toEqual(["", null, null]);
      expect(Array.from(back[0]?.blob ?? [1])).toEqual([]);
      expect(back.map((r) => r.data)).toEqual([null, null, null]);
      expect(back[2]?.day).toBe(early);
      expect(
        await Thing.count({
          filter: [
            ["id", "in", ids],
            ["notes", "=", ""],
          ],
        }),
      ).toBe(1);
      expect(
        await Thing.count({
          filter: [
            ["id", "in", ids],
            ["notes", "is null"],
          ],
        }),
      ).toBe(2);
    });

    test("char holds exactly maxLength characters, counted as characters not bytes", async () => {
      const { Thing } = ctx();
      const labels = ["x".repeat(20), "é".repeat(20), "😀".repeat(20), 'it\'s "quoted" \\ ok'];
      const ids = await Thing.createMany(labels.map((label) => ({ label })));
      const rows = await Thing.search({ filter: [["id", "in", ids]], fields: ["label"], order: "id" });
      expect(rows.map((r) => r.label)).toEqual(labels);
    });

    test("a field with a column option is stored in that column and read back under its key", async () => {
      const { Thing, db } = ctx();
      const id = await Thing.create({ label: "column", code: "C-1" });
      expect((await Thing.get(id, { fields: ["code"] })).code).toBe("C-1");
      const raw =
        await db.sql`select ${db.sql.id("thing_code")} as c from ${db.sql.id(Thing.meta.table)} where ${db.sql.id("id")} = ${id}`;
      expect(raw.map((r) => r.c)).toEqual(["C-1"]);
    });

    test("a computed field is derived on read, with or without its dependencies listed", async () => {
      const { Thing } = ctx();
      const id = await Thing.create({ label: "shout me" });
      expect((await Thing.get(id)).shout).toBe("SHOUT ME");
      expect((await Thing.get(id, { fields: ["shout"] })).shout).toBe("SHOUT ME");
      const [row] = await Thing.search({ filter: [["id", "=", id]], fields: ["count", "shout"] });
      expect(row?.shout).toBe("SHOUT ME");
      expect(row?.count).toBe(0);
    });

    test("bad values raise ValidationError naming the field, before any SQL", async () => {
      const { Thing, record } = ctx();
      const cases: [Record<string, unknown>, string][] = [
        [{}, "label"],
        [{ label: null }, "label"],
        [{ label: "x".repeat(21) }, "label"],
        [{ label: "x", code: "12345678901" }, "code"],
        [{ label: "x", kind: "c" }, "kind"],
        [{ label: "x", small: 32768 }, "small"],
        [{ label: "x", small: -32769 }, "small"],
        [{ label: "x", count: 2147483648 }, "count"],
        [{ label: "x", count: 1.5 }, "count"],
        [{ label: "x", count: "12abc" }, "count"],
        [{ label: "x", big: 2 ** 53 }, "big"],
        [{ label: "x", ratio: Number.POSITIVE_INFINITY }, "ratio"],
        [{ label: "x", ratio: "abc" }, "ratio"],
        [{ label: "x", price: "123456789.00" }, "price"],
        [{ label: "x", price: "1.234" }, "price"],
        [{ label: "x", price: "1,5" }, "price"],
        [{ label: "x", flag: "true" }, "flag"],
        [{ label: "x", at: "not a date" }, "at"],
        [{ label: "x", at: new Date(Number.NaN) }, "at"],
        [{ label: "x", day: "2024-02-30" }, "day"],
        [{ label: "x", day: "2024-13-01" }, "day"],
        [{ label: "x", day: "31/01/2024" }, "day"],
        [{ label: "x", clock: "25:00" }, "clock"],
        [{ label: "x", clock: "12:60:00" }, "clock"],
        [{ label: "x", data: { f: () => 1 } }, "data"],
        [{ label: "x", data: [1, Number.NaN] }, "data"],
        [{ label: "x", data: { n: 1n } }, "data"],
        [{ label: "x", data: new Map() }, "data"],
        [{ label: "x", blob: "bytes" }, "blob"],
        [{ label: "x", nope: 1 }, "nope"],
        [{ label: "x", shout: "X" }, "shout"],
        [{ label: "x", id: 5 }, "id"],
      ];
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      cases.push([{ label: "x", data: circular }, "data"]);
      for (const [values, field] of cases) {
        const { result, statements } = await record(() => Thing.create(untyped(values)).catch((e: unknown) => e));
        expect(result, `${field}: ${String(values[field])}`).toBeInstanceOf(ValidationError);
        expect(result).toMatchObject({ field });
        expect(statements).toHaveLength(0);
      }
    });

    test("update refuses readonly, computed, unknown and cleared required fields, and changes nothing", async () => {
      const { Thing, record } = ctx();
      const id = await Thing.create({ label: "guarded", secret: "set on create" });
      const row = await Thing.get(id);
      const cases: [Record<string, unknown>, string][] = [
        [{ secret: "changed" }, "secret"],
        [{ label: null }, "label"],
        [{ label: "x".repeat(21) }, "label"],
        [{ shout: "X" }, "shout"],
        [{ nope: 1 }, "nope"],
        [{ small: 99999 }, "small"],
      ];
      for (const [values, field] of cases) {
        const { result, statements } = await record(() =>
          Thing.updateMany([id], untyped(values)).catch((e: unknown) => e),
        );
        expect(result, field).toBeInstanceOf(ValidationError);
        expect(result).toMatchObject({ field });
        expect(statements).toHaveLength(0);
        await expect(row.update(untyped(values))).rejects.toMatchObject({ field });
      }
      expect(await Thing.get(id)).toEqual(row);
      expect(row.secret).toBe("set on create");
    });

    test("createMany with one bad row writes nothing", async () => {
      const { Thing, record } = ctx();
      const before = await Thing.count({ filter: [["notes", "=", "batch"]] });
      const rows = [
        { label: "ok1", notes: "batch" },
        { label: "ok2", notes: "batch" },
        { label: "bad", kind: "zzz", notes: "batch" },
      ];
      const { result, statements } = await record(() => Thing.createMany(untyped(rows)).catch((e: unknown) => e));
      expect(result).toBeInstanceOf(ValidationError);
      expect(result).toMatchObject({ field: "kind" });
      expect((result as Error).message).toContain("#2");
      expect(statements).toHaveLength(0);
      expect(await Thing.count({ filter: [["notes", "=", "batch"]] })).toBe(before);
    });
  });
}
