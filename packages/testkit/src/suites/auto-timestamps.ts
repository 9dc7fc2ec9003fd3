import { type AnyModel, ConfigurationError, UnsupportedError, ValidationError, f, model } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import { ownModels } from "../own-models.js";
import type { ConformanceTarget } from "../target.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Options outside the compile-time types, as callers without types send them. */
const untyped = (value: unknown) => value as never;

/** Auto timestamps: `autoNowAdd` stamped on create, `autoNow` on every write path, refused as explicit updates. */
export function autoTimestamps(target: ConformanceTarget) {
  return suite("auto timestamps", target, (ctx) => {
    const own = ownModels(ctx, (p) => {
      const Note = model(`${p}_ts_notes`, {
        code: f.char({ maxLength: 20, required: true, unique: true }),
        body: f.text(),
        created_at: f.datetime({ autoNowAdd: true }),
        updated_at: f.datetime({ autoNow: true }),
        touched_on: f.date({ autoNow: true }),
        items: f.one2many((): AnyModel => NoteItem, "note_id"),
      });
      const NoteItem = model(`${p}_ts_items`, {
        note_id: f.many2one(() => Note, { onDelete: "cascade" }),
        label: f.char({ maxLength: 20 }),
        updated_at: f.datetime({ autoNow: true }),
      });
      return { Note, NoteItem };
    });

    /** The stamps of a note, as stored. */
    async function stamps(id: number) {
      const { Note } = await own();
      const r = await Note.get(id, { fields: ["created_at", "updated_at", "touched_on"] });
      return { created: r.created_at as Date, updated: r.updated_at as Date, day: r.touched_on };
    }

    /** A window [before, after] around `fn`, widened by a millisecond each way for the database's rounding. */
    async function window<T>(fn: () => Promise<T>): Promise<{ result: T; from: number; to: number }> {
      const from = Date.now() - 1;
      const result = await fn();
      return { result, from, to: Date.now() + 1 };
    }

    test("create and createMany stamp both fields with one instant per call; a value given on create is kept", async () => {
      const { Note } = await own();
      const { result: id, from, to } = await window(() => Note.create({ code: "c1" }));
      const one = await stamps(id);
      expect(one.created.getTime()).toBeGreaterThanOrEqual(from);
      expect(one.created.getTime()).toBeLessThanOrEqual(to);
      expect(one.updated.getTime()).toBe(one.created.getTime());
      expect(one.day).toBe(new Date(from + 1).toISOString().slice(0, 10));
      const ids = await Note.createMany([{ code: "c2" }, { code: "c3" }]);
      const [a, b] = await Promise.all(ids.map(stamps));
      expect(a?.created.getTime()).toBe(b?.created.getTime());
      const imported = new Date("2020-05-06T07:08:09.000Z");
      const kept = await Note.create({ code: "c4", created_at: imported, updated_at: imported });
      expect((await stamps(kept)).created.toISOString()).toBe(imported.toISOString());
      expect((await stamps(kept)).updated.toISOString()).toBe(imported.toISOString());
    });

    test("update, updateMany (ids and filter) and query-set updates move autoNow and leave autoNowAdd", async () => {
      const { Note } = await own();
      const old = new Date("2021-01-01T00:00:00.000Z");
      const [x, y, z] = (await Note.createMany([
        { code: "u1", created_at: old, updated_at: old, touched_on: "2021-01-01" },
        { code: "u2", created_at: old, updated_at: old, touched_on: "2021-01-01" },
        { code: "u3", created_at: old, updated_at: old, touched_on: "2021-01-01" },
      ])) as [number, number, number];
      const record = await Note.get(x);
      const { from, to } = await window(() => record.update({ body: "edited" }));
      const after = await stamps(x);
      expect(after.created.toISOString()).toBe(old.toISOString());
      expect(after.updated.getTime()).toBeGreaterThanOrEqual(from);
      expect(after.updated.getTime()).toBeLessThanOrEqual(to);
      expect(after.day).not.toBe("2021-01-01");
      // the record reflects the stamp the database holds
      expect((record.updated_at as Date).getTime()).toBe(after.updated.getTime());
      expect(await Note.updateMany([y], { body: "bulk" })).toBe(1);
      expect((await stamps(y)).updated.getTime()).toBeGreaterThan(old.getTime());
      expect(await Note.updateMany([["code", "=", "u3"]], { body: "by filter" })).toBe(1);
      expect((await stamps(z)).updated.getTime()).toBeGreaterThan(old.getTime());
      await sleep(5);
      const before = (await stamps(z)).updated.getTime();
      await Note.query().filter({ code: "u3" }).update({ body: "by query set" });
      expect((await stamps(z)).updated.getTime()).toBeGreaterThan(before);
      expect((await stamps(z)).created.toISOString()).toBe(old.toISOString());
    });

    test("relation commands stamp the related rows they write", async () => {
      const { Note, NoteItem } = await own();
      const old = new Date("2021-01-01T00:00:00.000Z");
      const note = await Note.create({ code: "r1", items: { create: [{ label: "a" }] } });
      const [item] = await NoteItem.search({ filter: [["note_id", "=", note]] });
      if (!item) throw new Error("the relation command created no item");
      expect((item.updated_at as Date).getTime()).toBeGreaterThan(old.getTime());
      await NoteItem.updateMany([item.id], { note_id: null });
      const before = (await NoteItem.get(item.id)).updated_at as Date;
      await sleep(5);
      await Note.updateMany([note], { items: { link: [item.id] } });
      expect(((await NoteItem.get(item.id)).updated_at as Date).getTime()).toBeGreaterThan(before.getTime());
    });

    test("writing a stamped field in an update is a ValidationError naming it, and nothing changes", async () => {
      const { Note } = await own();
      const id = await Note.create({ code: "v1", body: "same" });
      const before = await stamps(id);
      for (const field of ["created_at", "updated_at", "touched_on"]) {
        await expect(Note.updateMany([id], untyped({ body: "changed", [field]: new Date() }))).rejects.toMatchObject({
          name: "ValidationError",
          field,
        });
      }
      expect(await Note.get(id, { fields: ["body"] })).toMatchObject({ body: "same" });
      expect(await stamps(id)).toEqual(before);
      // an empty update writes nothing, so it stamps nothing
      expect(await Note.updateMany([id], {})).toBe(1);
      expect(await stamps(id)).toEqual(before);
    });

    test("save() of a record built by hand (not read through DotORM) updates it without sending the stamps it holds", async () => {
      const { Note } = await own();
      const old = new Date("2021-01-01T00:00:00.000Z");
      const id = await Note.create({
        code: "h1",
        body: "before",
        created_at: old,
        updated_at: old,
        touched_on: "2021-01-01",
      });
      const built = new Note({
        id,
        code: "h1",
        body: "after",
        created_at: new Date(),
        updated_at: new Date(),
        touched_on: "2030-01-01",
      });
      await built.save();
      const after = await stamps(id);
      expect(await Note.get(id, { fields: ["body"] })).toMatchObject({ body: "after" });
      expect(after.created.toISOString()).toBe(old.toISOString());
      expect(after.updated.getTime()).toBeGreaterThan(old.getTime());
      expect(after.day).not.toBe("2030-01-01");
    });

    test("an upsert's update half moves autoNow and keeps autoNowAdd; naming a stamp in `update` is refused", async () => {
      const { Note } = await own();
      if (ctx().db.adapter.capabilities.uniqueConstraints === false) {
        await expect(
          Note.createMany([{ code: "p1" }], { onConflict: ["code"], update: ["body"] }),
        ).rejects.toBeInstanceOf(UnsupportedError);
        return;
      }
      const old = new Date("2021-01-01T00:00:00.000Z");
      const id = await Note.create({ code: "p1", created_at: old, updated_at: old });
      const { from } = await window(() =>
        Note.createMany([{ code: "p1", body: "upserted" }], { onConflict: ["code"], update: ["body"] }),
      );
      const after = await stamps(id);
      expect(after.created.toISOString()).toBe(old.toISOString());
      expect(after.updated.getTime()).toBeGreaterThanOrEqual(from);
      // nothing to update: the existing row is kept as it is, stamps included
      await Note.updateMany([id], untyped({ body: "x" }));
      const kept = await stamps(id);
      await sleep(5);
      await Note.createMany([{ code: "p1" }], { onConflict: ["code"] });
      expect(await stamps(id)).toEqual(kept);
      await expect(
        Note.createMany([{ code: "p1" }], { onConflict: ["code"], update: untyped(["created_at"]) }),
      ).rejects.toBeInstanceOf(ValidationError);
    });

    test("a stamp on a field that cannot hold one, both stamps, or a stamp with a default is a ConfigurationError at definition", () => {
      expect(() => model("bad_ts", { n: f.integer(untyped({ autoNow: true })) })).toThrow(ConfigurationError);
      expect(() => model("bad_ts", { at: f.datetime(untyped({ autoNow: true, autoNowAdd: true })) })).toThrow(
        /not both/,
      );
      expect(() => model("bad_ts", { at: f.datetime(untyped({ autoNow: true, default: "now" })) })).toThrow(
        /bad_ts\.at/,
      );
      expect(() => model("bad_ts", { at: f.datetime(untyped({ autoNow: "yes" })) })).toThrow(ConfigurationError);
    });
  });
}
