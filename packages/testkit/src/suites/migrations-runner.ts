import {
  type AnyModel,
  type Migration,
  MigrationError,
  Migrator,
  connect,
  f,
  modelsFromSchema,
  modelsSource,
} from "@dotorm/core";
import { expect, test } from "vitest";
import { crmModels } from "../crm-models.js";
import { suite } from "../harness.js";
import { migrationKit } from "../migration-kit.js";
import type { ConformanceTarget } from "../target.js";

/** Migrations: concurrent runners, failure midway, destructive refusal, edited files, inspect round trip. */
export function migrationsRunner(target: ConformanceTarget) {
  return suite("migrations runner", target, (ctx) => {
    const kit = migrationKit(() => ctx().db);
    const prefix = () => ctx().Thing.meta.table.replace(/_things$/, "");
    const tables = async () => [...(await kit.schema()).keys()];
    const migration = (name: string, up: Migration["up"], extra: Partial<Migration> = {}): Migration => ({
      name,
      checksum: name,
      up,
      down: async () => undefined,
      ...extra,
    });

    test("two runners migrating at once apply each migration exactly once", async () => {
      const p = prefix();
      const log = `${p}_cc_log`;
      const steps = [1, 2, 3].map((n) =>
        migration(
          `00${n}_cc`,
          async (db) => {
            if (n === 1) await db.schema.createTable(log, { what: f.char({ maxLength: 40, required: true }) });
            await db.schema.createTable(`${p}_cc_${n}`, { v: f.integer() });
            await db.sql`INSERT INTO ${db.sql.id(log)} (${db.sql.id("what")}) VALUES (${`00${n}_cc`})`;
          },
          {
            down: async (db) => {
              await db.schema.dropTable(`${p}_cc_${n}`);
              if (n === 1) await db.schema.dropTable(log);
            },
          },
        ),
      );
      const [a, b] = [await kit.on([]), await kit.on([])];
      const ran = await Promise.all([new Migrator(a, steps).up(), new Migrator(b, steps).up()]);
      expect(ran.flat().sort()).toEqual(["001_cc", "002_cc", "003_cc"]);
      const rows = await a.sql`SELECT ${a.sql.id("what")} AS what FROM ${a.sql.id(log)} ORDER BY ${a.sql.id("what")}`;
      expect(rows.map((r) => r.what)).toEqual(["001_cc", "002_cc", "003_cc"]);
      expect((await new Migrator(a, steps).status()).filter((s) => s.name.endsWith("_cc")).map((s) => s.state)).toEqual(
        ["applied", "applied", "applied"],
      );
      await new Migrator(a, steps).down(3, { allowDestructive: true });
      expect((await tables()).filter((t) => t.includes("_cc_"))).toEqual([]);
    });

    test("a migration failing midway leaves the history consistent and says which step failed", async () => {
      const { db } = ctx();
      const half = `${prefix()}_half`;
      const failing = migration("010_half", async (m) => {
        await m.schema.createTable(half, { v: f.integer() });
        await m.sql`SELECT * FROM ${m.sql.id(`${prefix()}_no_such_table`)}`;
        await m.schema.addColumn(half, "never", f.integer());
      });
      const err = await new Migrator(db, [failing]).up().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as Error).message).toMatch(/010_half failed at step 2 \(sql: SELECT \* FROM/);
      const status = (await new Migrator(db, [failing]).status()).find((s) => s.name === "010_half");
      if (db.adapter.capabilities.transactionalDdl) {
        expect((err as Error).message).toMatch(/Nothing of it was applied/);
        expect(status?.state).toBe("pending");
        expect(await tables()).not.toContain(half);
        return;
      }
      expect((err as Error).message).toMatch(/Steps 1 to 1 were applied/);
      expect(status).toMatchObject({ state: "failed", step: 2 });
      expect(await tables()).toContain(half);
      await expect(new Migrator(db, [failing]).up()).rejects.toThrow(/010_half failed earlier at step 2/);
      await new Migrator(db, [failing]).resolve("010_half");
      expect((await new Migrator(db, [failing]).status()).find((s) => s.name === "010_half")?.state).toBe("pending");
      await new Migrator(db, [migration("011_cleanup", (m) => m.schema.dropTable(half))]).up({
        allowDestructive: true,
      });
    });

    test("a destructive migration is refused before anything runs; a lossy step without the flag is refused", async () => {
      const { db } = ctx();
      const safe = `${prefix()}_safe`;
      const first = migration("020_safe", (m) => m.schema.createTable(safe, { v: f.integer() }));
      const lossy = migration("021_lossy", (m) => m.schema.dropColumn(safe, "v"), {
        destructive: [`drops column ${safe}.v and its values`],
      });
      await expect(new Migrator(db, [first, lossy]).up()).rejects.toThrow(
        /refused before running anything: up would lose data:\n {2}021_lossy: drops column/,
      );
      expect(await tables()).not.toContain(safe);
      const unflagged = migration("021_lossy", (m) => m.schema.dropColumn(safe, "v"));
      await expect(new Migrator(db, [first, unflagged]).up()).rejects.toThrow(
        /refused: this step drops column .*--allow-destructive/,
      );
      expect((await kit.schema()).get(safe)?.columns.map((c) => c.name)).toContain("v");
      await new Migrator(db, [first, unflagged, migration("022_drop", (m) => m.schema.dropTable(safe))]).up({
        allowDestructive: true,
      });
      expect(await tables()).not.toContain(safe);
    });

    test("an applied migration whose file changed stops the run and names it", async () => {
      const { db } = ctx();
      const t = `${prefix()}_edited`;
      const original = migration("030_edited", (m) => m.schema.createTable(t, { v: f.integer() }), {
        down: (m) => m.schema.dropTable(t),
      });
      await new Migrator(db, [original]).up();
      const edited = { ...original, checksum: "something else" };
      await expect(new Migrator(db, [edited]).up()).rejects.toThrow(/edited since they ran: 030_edited/);
      expect((await new Migrator(db, [edited]).status()).find((s) => s.name === "030_edited")?.state).toBe("changed");
      await new Migrator(db, [original]).down(1, { allowDestructive: true });
      expect(await tables()).not.toContain(t);
    });

    test("inspect: models read from a CRM schema, synced into an empty database, give the same schema", async () => {
      const { db } = ctx();
      const harness = await kit.generate([], "039_wipe_harness");
      await new Migrator(harness.db, [harness.migration]).up({ allowDestructive: true });
      const crm = crmModels(`${prefix()}_crm`);
      const plan = await kit.generate(crm, "040_crm");
      const migrator = new Migrator(plan.db, [plan.migration]);
      await migrator.up();
      const before = await kit.schema();
      const crmTables = [...before.keys()].filter((t) => t.includes("_crm_"));
      expect(crmTables.length).toBe(9);
      const source = modelsSource(before, db.adapter.ddl);
      expect(source).toMatch(/export const \w+Leads = model\(/);
      const inspected: AnyModel[] = modelsFromSchema(before, db.adapter.ddl);
      await migrator.down(1, { allowDestructive: true });
      expect(await tables()).toEqual([]);
      const again = await connect(db.adapter, { models: inspected });
      await again.sync();
      expect(await kit.schema()).toEqual(before);
      const wipe = await kit.generate([], "041_wipe");
      await new Migrator(again, [wipe.migration]).up({ allowDestructive: true });
      expect(await tables()).toEqual([]);
    });
  });
}
