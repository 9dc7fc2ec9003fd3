import { type AnyModel, Migrator, describeOperation, f, model } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import { migrationKit } from "../migration-kit.js";
import type { ConformanceTarget } from "../target.js";

/** The ten typical model changes of the round trip, as successive versions of two or three models. */
function versions(p: string): AnyModel[][] {
  const out: AnyModel[][] = [];
  type Opts = {
    probability?: boolean;
    dropNotes?: boolean;
    renamed?: boolean;
    bigAmount?: boolean;
    indexed?: boolean;
    partner?: boolean;
    watchers?: boolean;
    optionalName?: boolean;
    stage?: string;
    activities?: boolean;
  };
  const make = (o: Opts) => {
    const Partner = model(`${p}_partners`, { name: f.char({ maxLength: 100, required: !o.optionalName }) });
    const Lead = model(`${p}_leads`, {
      [o.renamed ? "subject" : "title"]: f.char({ maxLength: 200, required: true }),
      amount: o.bigAmount ? f.bigInteger() : f.integer(),
      ...(o.dropNotes ? {} : { notes: f.text() }),
      stage: f.char({ maxLength: 20, required: true, default: o.stage ?? "new" }),
      ...(o.probability ? { probability: f.integer({ index: o.indexed }) } : {}),
      ...(o.partner ? { partner_id: f.many2one(() => Partner, { onDelete: "cascade" }) } : {}),
      ...(o.watchers
        ? {
            watcher_ids: f.many2many(() => Partner, {
              table: `${p}_lead_watchers`,
              column1: "lead_id",
              column2: "partner_id",
            }),
          }
        : {}),
    });
    const Activity = model(`${p}_activities`, {
      lead_id: f.many2one(() => Lead, { required: true, onDelete: "cascade" }),
      note: f.text(),
    });
    return o.activities ? [Partner, Lead, Activity] : [Partner, Lead];
  };
  const steps: Opts[] = [
    {},
    { probability: true }, // 1. add a field
    { dropNotes: true }, // 2. drop a field
    { renamed: true }, // 3. rename
    { bigAmount: true }, // 4. change a type (widening)
    { indexed: true }, // 5. add an index
    { partner: true }, // 6. add a relation
    { watchers: true }, // 7. many2many
    { optionalName: true }, // 8. required -> optional
    { stage: "open" }, // 9. change a default
    { activities: true }, // 10. a new model
  ];
  let acc: Opts = {};
  for (const s of steps) out.push(make((acc = { ...acc, ...s })));
  return out;
}

/** Migrations: the round trip through ten model changes, down to empty and up again; drift. */
export function migrations(target: ConformanceTarget) {
  return suite("migrations", target, (ctx) => {
    const kit = migrationKit(() => ctx().db);
    const prefix = () => ctx().Thing.meta.table.replace(/_things$/, "");

    test("the harness's tables are dropped by a planned migration, leaving an empty schema", async () => {
      const { db } = ctx();
      const { operations, migration } = await kit.generate([], "000_wipe");
      expect(operations.filter((o) => o.kind === "dropTable" || o.kind === "dropLinkTable").length).toBeGreaterThan(3);
      await new Migrator(db, [migration]).up({ allowDestructive: true });
      expect([...(await kit.schema()).keys()]).toEqual([]);
    });

    test("round trip: ten model changes generate, apply and match the models; down empties; up again is identical", async () => {
      const all = versions(`${prefix()}_rt`);
      const applied = [];
      let firstSchema: unknown;
      for (const [i, models] of all.entries()) {
        const renames = i === 3 ? [{ table: `${prefix()}_rt_leads`, from: "title", to: "subject" }] : undefined;
        const name = `${String(i + 1).padStart(3, "0")}_step`;
        const plan = await kit.generate(models, name, renames);
        expect(plan.operations.length, `step ${i} plans something`).toBeGreaterThan(0);
        if (i === 3) {
          expect(plan.operations.map(describeOperation)).toEqual([
            `rename column ${prefix()}_rt_leads.title to subject`,
          ]);
          const unconfirmed = await kit.generate(models, name);
          expect(unconfirmed.renameCandidates).toEqual(renames);
        }
        applied.push(plan.migration);
        const ran = await new Migrator(plan.db, applied).up({ allowDestructive: true });
        expect(ran).toEqual([name]);
        const again = await kit.generate(models, "again");
        expect(again.operations.map(describeOperation), `after step ${i}`).toEqual([]);
        if (i === 2) {
          const Lead = plan.db.model(models[1] as AnyModel) as AnyModel & {
            create(v: object): Promise<number>;
            get(id: number): Promise<Record<string, unknown>>;
          };
          await Lead.create({ title: "kept across the rename", amount: 5 });
        }
        if (i === 3) {
          const Lead = plan.db.model(models[1] as AnyModel) as AnyModel & {
            search(o: object): Promise<Record<string, unknown>[]>;
          };
          expect((await Lead.search({ fields: ["subject"] })).map((r) => r.subject)).toEqual([
            "kept across the rename",
          ]);
        }
      }
      firstSchema = await kit.schema();
      const last = await kit.on(all.at(-1) as AnyModel[]);
      const status = await new Migrator(last, applied).status();
      // the wipe of the first test is in the history too, with no file here
      expect(status.map((s) => [s.name, s.state])).toEqual([
        ["000_wipe", "missing"],
        ...applied.map((m) => [m.name, "applied"]),
      ]);
      const reverted = await new Migrator(last, applied).down(applied.length, { allowDestructive: true });
      expect(reverted).toEqual(applied.map((m) => m.name).reverse());
      expect([...(await kit.schema()).keys()]).toEqual([]);
      await new Migrator(last, applied).up({ allowDestructive: true });
      expect(await kit.schema()).toEqual(firstSchema);
      await new Migrator(last, applied).down(applied.length, { allowDestructive: true });
    });

    test("drift: a column added by hand is reported by name", async () => {
      const { db } = ctx();
      const Item = model(`${prefix()}_drift_items`, { name: f.char({ maxLength: 40 }) });
      const plan = await kit.generate([Item], "001_items");
      const migrator = new Migrator(plan.db, [plan.migration]);
      await migrator.up();
      expect((await kit.generate([Item], "none")).operations).toEqual([]);
      const extra = model(Item.meta.table, { added_by_hand: f.integer() }).meta.fields.get("added_by_hand");
      await db.exec({ sql: db.adapter.ddl.addColumnStrict(Item.meta.table, extra as never), params: [] });
      const drift = (await kit.generate([Item], "drift")).operations.map(describeOperation);
      expect(drift).toEqual([`drop column ${Item.meta.table}.added_by_hand (integer)`]);
      await migrator.down(1, { allowDestructive: true });
    });
  });
}
