import { type Database, IntegrityError, connect, constraintName, f, model } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** db.sync(): idempotent, adds columns for new fields, creates indexes, uniques and foreign keys with ON DELETE. */
export function sync(target: ConformanceTarget) {
  return suite("sync", target, (ctx) => {
    /** The suite's table prefix, so extra models land next to the suite's own tables. */
    const prefix = () => ctx().Thing.meta.table.replace(/_things$/, "");

    /**
     * A second database on the suite's adapter, for model variants. It is never closed: closing
     * would close the shared driver, which the harness closes with the suite's own database.
     */
    const second = (models: Parameters<typeof connect>[1]["models"]): Promise<Database> =>
      connect(ctx().db.adapter, { models });

    const schemaOf = (db: Database, tables: string[]) =>
      db.adapter.introspector.introspect((q) => db.exec(q, { operation: "sync" }), tables);

    test("a second sync sends no DDL", async () => {
      const { db, record } = ctx();
      const first = await record(() => db.sync());
      expect(first.result).toEqual([]);
      // Nothing to do means the same introspection every time, and nothing else.
      const again = await record(() => db.sync());
      expect(again.result).toEqual([]);
      expect(again.statements.map((s) => s.sql)).toEqual(first.statements.map((s) => s.sql));
    });

    test("columns, indexes, unique constraints, foreign keys and link tables exist", async () => {
      const { db, Thing, User, ChatMessage } = ctx();
      const link = User.meta.fields.get("role_ids")?.link?.().table as string;
      const schema = await schemaOf(db, [Thing.meta.table, User.meta.table, ChatMessage.meta.table, link]);
      const things = schema.get(Thing.meta.table);
      expect(things?.columns.has("thing_code")).toBe(true);
      expect(things?.columns.has("code")).toBe(false);
      expect(things?.columns.has("shout")).toBe(false);
      expect(things?.indexes.has(constraintName("idx", Thing.meta.table, ["thing_code"]))).toBe(true);
      expect(schema.get(User.meta.table)?.indexes.has(constraintName("uq", User.meta.table, ["login"]))).toBe(true);
      expect(
        schema.get(ChatMessage.meta.table)?.indexes.has(constraintName("idx", ChatMessage.meta.table, ["chat_id"])),
      ).toBe(true);
      expect(schema.get(link)?.columns).toEqual(new Set(["user_id", "role_id"]));
      const fk = schema
        .get(ChatMessage.meta.table)
        ?.foreignKeys.has(constraintName("fk", ChatMessage.meta.table, ["chat_id"]));
      expect(fk).toBe(db.adapter.capabilities.foreignKeys);
    });

    test("a unique field is enforced", async () => {
      const { Role, db } = ctx();
      await Role.create({ code: "only-once" });
      if (db.adapter.capabilities.uniqueConstraints === false) {
        // ClickHouse enforces no uniqueness: the duplicate is stored (the adapter's README says so).
        await Role.create({ code: "only-once" });
        expect(await Role.count({ filter: [["code", "=", "only-once"]] })).toBe(2);
        return;
      }
      await expect(Role.create({ code: "only-once" })).rejects.toBeInstanceOf(IntegrityError);
      expect(await Role.count({ filter: [["code", "=", "only-once"]] })).toBe(1);
    });

    test("a field added to a model becomes a column on the next sync; existing rows get its default", async () => {
      const { Thing } = ctx();
      const old = await Thing.create({ label: "before" });
      const Wider = model(Thing.meta.table, {
        ...Thing.fields,
        nickname: f.char({ maxLength: 30, index: true }),
        level: f.integer({ required: true, default: 7 }),
      });
      const db2 = await second([Wider]);
      const ddl = await db2.sync();
      expect(ddl.length).toBeGreaterThan(0);
      expect(await db2.sync()).toEqual([]);
      const schema = await schemaOf(db2, [Thing.meta.table]);
      expect(schema.get(Thing.meta.table)?.columns.has("nickname")).toBe(true);
      expect(schema.get(Thing.meta.table)?.indexes.has(constraintName("idx", Thing.meta.table, ["nickname"]))).toBe(
        true,
      );
      expect(await Wider.get(old, { fields: ["label", "nickname", "level"] })).toMatchObject({
        label: "before",
        nickname: null,
        level: 7,
      });
      const id = await Wider.create({ label: "after", nickname: "wide", level: 3 });
      expect(await Wider.get(id, { fields: ["nickname", "level"] })).toMatchObject({ nickname: "wide", level: 3 });
      expect((await Thing.get(id)).label).toBe("after");
    });

    // An adapter with a sync lock serialises two syncs (PostgreSQL's advisory lock, MySQL's GET_LOCK on
    // the sync's pinned connection); ClickHouse has no lock and is covered by its own concurrent-sync test.
    test.runIf(!target.name.startsWith("chdb") && !target.name.startsWith("clickhouse"))(
      "two syncs of the same new models at once: both resolve, the DDL is sent once, a third sync sends none",
      async () => {
        const make = () => {
          const Shelf = model(`${prefix()}_cc_shelves`, { name: f.char({ maxLength: 20, index: true }) });
          const Book = model(`${prefix()}_cc_books`, {
            title: f.char({ maxLength: 20, unique: true }),
            shelf_id: f.many2one(() => Shelf),
            tag_ids: f.many2many(() => Shelf),
          });
          return [Shelf, Book] as const;
        };
        const [one, two] = await Promise.all([second(make()), second(make())]);
        const [a, b] = await Promise.all([one.sync(), two.sync()]);
        // one of them planned against the empty schema and created everything; the other, waiting on the
        // lock (or finding the work done), had nothing left to do
        expect([a.length > 0, b.length > 0].sort()).toEqual([false, true]);
        expect(await (await second(make())).sync()).toEqual([]);
        const [Shelf, Book] = make();
        await second([Shelf, Book]);
        const shelf = await Shelf.create({ name: "s" });
        expect(
          await Book.get(await Book.create({ title: "t", shelf_id: shelf }), { fields: ["shelf_id"] }),
        ).toMatchObject({ shelf_id: shelf });
      },
    );

    test("foreign keys apply onDelete: cascade, set null, restrict, no action", async () => {
      const { db } = ctx();
      const Parent = model(`${prefix()}_parents`, { name: f.char({ maxLength: 20 }) });
      const Child = model(`${prefix()}_children`, {
        name: f.char({ maxLength: 20 }),
        cascade_id: f.many2one(() => Parent, { onDelete: "cascade" }),
        set_null_id: f.many2one(() => Parent, { onDelete: "set null" }),
        restrict_id: f.many2one(() => Parent, { onDelete: "restrict" }),
        no_action_id: f.many2one(() => Parent, { onDelete: "no action" }),
      });
      const db2 = await second([Parent, Child]);
      await db2.sync();
      const [p1, p2, p3, p4] = await Parent.createMany([
        { name: "p1" },
        { name: "p2" },
        { name: "p3" },
        { name: "p4" },
      ]);
      const [c1, c2, c3, c4] = await Child.createMany([
        { name: "c1", cascade_id: p1 },
        { name: "c2", set_null_id: p2 },
        { name: "c3", restrict_id: p3 },
        { name: "c4", no_action_id: p4 },
      ]);
      if (!db.adapter.capabilities.foreignKeys) {
        // No foreign keys: parents delete freely and children keep the ids they had.
        expect(await Parent.deleteMany([p1 as number, p2 as number, p3 as number, p4 as number])).toBe(4);
        expect(await Child.count({ filter: [["id", "in", [c1, c2, c3, c4] as number[]]] })).toBe(4);
        return;
      }
      await Parent.deleteMany([p1 as number]);
      expect(await Child.getOrNull(c1 as number)).toBeNull();
      await Parent.deleteMany([p2 as number]);
      expect((await Child.get(c2 as number)).set_null_id).toBeNull();
      for (const [parent, child, field] of [
        [p3, c3, "restrict_id"],
        [p4, c4, "no_action_id"],
      ] as const) {
        const err = await Parent.deleteMany([parent as number]).catch((e: unknown) => e);
        expect(err, field).toBeInstanceOf(IntegrityError);
        expect(err).toMatchObject({ kind: "foreign_key" });
        expect(await Parent.exists({ filter: [["id", "=", parent as number]] })).toBe(true);
        expect((await Child.get(child as number))[field]).toBe(parent);
      }
      await expect(Child.create({ name: "dangling", restrict_id: 987654 })).rejects.toMatchObject({
        kind: "foreign_key",
        field: "restrict_id",
      });
    });
  });
}
