import { type Database, connect, describeOperation, f, model, planMigration } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Static defaults live in the column definitions too, so rows written by other tools get them. */
export function ddlDefaults(target: ConformanceTarget) {
  return suite("ddl defaults", target, (ctx) => {
    const prefix = () => ctx().Thing.meta.table.replace(/_things$/, "");

    /** A fresh model on the table `name` (a new class per call, so each second database binds its own). */
    const defaults = (name: string, tags: string[] = ["new", "it's"]) =>
      model(`${prefix()}_${name}`, {
        label: f.char({ maxLength: 20, required: true }),
        tags: f.json({ default: tags }),
        settings: f.json({ default: { theme: "dark", size: 2, deep: { list: [1, "b\\c"] } } }),
        price: f.decimal({ precision: 10, scale: 2, default: "9.50" }),
        day: f.date({ default: "2024-02-29" }),
        note: f.text({ default: "it's \\ fine" }),
        flag: f.boolean({ default: true }),
        later: f.json({ default: () => ({ made: "in js" }) }),
      });
    const expected = {
      tags: ["new", "it's"],
      settings: { theme: "dark", size: 2, deep: { list: [1, "b\\c"] } },
      day: "2024-02-29",
      note: "it's \\ fine",
      flag: true,
    };

    /** A second database on the suite's adapter (never closed: the harness closes the shared driver). */
    async function on(M: ReturnType<typeof defaults>): Promise<Database> {
      const db = await connect(ctx().db.adapter, { models: [M] });
      await db.sync();
      return db;
    }

    test("a row inserted by another tool (raw SQL naming only one column) gets every static default, JSON included", async () => {
      const M = defaults("other_tool");
      const db = await on(M);
      await db.sql`insert into ${db.sql.id(M.meta.table)} (${db.sql.id("label")}) values (${"raw"})`;
      const [row] = await M.search({ filter: [["label", "=", "raw"]] });
      expect(row).toMatchObject(expected);
      // decimals come back as strings, in each database's spelling ("9.50", ClickHouse "9.5")
      expect(Number(row?.price)).toBe(9.5);
      // a function default has no static value: the ORM applies it, the column has none
      expect(row?.later).toBeNull();
    });

    test("the ORM still applies them (and the function one) when a create leaves them out", async () => {
      const M = defaults("orm_create");
      await on(M);
      const id = await M.create({ label: "orm" });
      const row = await M.get(id);
      expect(row).toMatchObject({ ...expected, later: { made: "in js" } });
      expect(Number(row.price)).toBe(9.5);
      const given = await M.create({ label: "given", tags: [], settings: null, note: "mine" });
      expect(await M.get(given, { fields: ["tags", "settings", "note"] })).toMatchObject({
        tags: [],
        settings: null,
        note: "mine",
      });
    });

    test("migrations see the defaults: no drift after sync, and a changed JSON default is a column change", async () => {
      const M = defaults("drift");
      const db = await on(M);
      expect(await db.sync()).toEqual([]);
      const mine = (ops: Awaited<ReturnType<typeof planMigration>>["operations"]) =>
        ops.map(describeOperation).filter((d) => d.includes(M.meta.table));
      expect(mine((await planMigration(db)).operations)).toEqual([]);
      const changed = await connect(ctx().db.adapter, { models: [defaults("drift", ["other"])] });
      const ops = (await planMigration(changed)).operations.filter((o) => JSON.stringify(o).includes(M.meta.table));
      expect(ops.map((o) => [o.kind, (o as { column?: string }).column])).toEqual([["alterColumn", "tags"]]);
    });
  });
}
