import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { cli, cliTty, configSource, modelsSource, project, write } from "./run-cli.js";

const pgUrl = process.env.DOTORM_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function pgAdmin(sql: string) {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const schemas: string[] = [];
/** A config on a fresh schema of the PostgreSQL server (each CLI run is a new process: a server starts fastest). */
async function pgConfig(name: string): Promise<string> {
  const schema = `dotorm_cli_${name}_${process.pid}`;
  schemas.push(schema);
  await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}"`);
  return configSource(
    'import { postgres } from "@dotorm/postgres";',
    `postgres({ url: url ?? ${JSON.stringify(pgUrl)}, schema: ${JSON.stringify(schema)} })`,
  );
}
afterAll(async () => {
  for (const s of schemas) await pgAdmin(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
});

describe("dotorm CLI [postgres]", () => {
  test("init writes a config and the migrations folder, and refuses to overwrite it", async () => {
    const dir = project("init");
    const first = await cli(dir, ["init", "--adapter", "mysql"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/created .*dotorm\.config\.ts/);
    const config = readFileSync(join(dir, "dotorm.config.ts"), "utf8");
    expect(config).toMatch(/import \{ mysql \} from "@dotorm\/mysql"/);
    expect(config).toMatch(/migrations: "\.\/migrations"/);
    expect(existsSync(join(dir, "migrations"))).toBe(true);
    const again = await cli(dir, ["init"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists already/);
    expect((await cli(dir, ["init", "--adapter", "oracle", "--dir", "sub"])).stderr).toMatch(
      /--adapter must be one of postgres, pglite, mysql, clickhouse/,
    );
  });

  test("usage errors and a missing config fail with exit codes 2 and 1", async () => {
    const dir = project("usage");
    const unknown = await cli(dir, ["migrate", "sideways"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
    const missing = await cli(dir, ["migrate", "status"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no configuration at .*dotorm\.config\.ts: run `dotorm init`/);
    write(dir, "dotorm.config.ts", "export default { models: [] };\n");
    const bad = await cli(dir, ["migrate", "status"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/"adapter" must be an adapter/);
    expect((await cli(dir, ["migrate", "down", "abc"])).stderr).toMatch(/positive number of migrations, got "abc"/);
    const help = await cli(dir, ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/migrate/);
  }, 60_000);

  test("generate, status, up, check, drift, rename, down, edited files, inspect and sql", async () => {
    const dir = project("flow", { "dotorm.config.ts": await pgConfig("flow"), "models.ts": modelsSource("cli") });
    const gen = await cli(dir, ["migrate", "generate", "init"]);
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.stdout).toMatch(/\+ create table cli_leads/);
    const files = () => readdirSync(join(dir, "migrations")).sort();
    expect(files()).toHaveLength(1);
    expect(files()[0]).toMatch(/^\d{14}_init\.ts$/);
    const source = readFileSync(join(dir, "migrations", files()[0] as string), "utf8");
    expect(source).toContain('await db.schema.createTable("cli_leads", {');
    expect(source).toContain('partner_id: ref("cli_partners"),');
    expect(source).toContain(
      '// postgres: ALTER TABLE "cli_leads" ADD CONSTRAINT "fk_cli_leads_partner_id" FOREIGN KEY ("partner_id") REFERENCES "cli_partners" ("id") ON DELETE CASCADE',
    );
    expect(source).toContain('await db.schema.dropTable("cli_leads");');

    const pending = await cli(dir, ["migrate", "status", "--json"]);
    expect(pending.code).toBe(0);
    expect(JSON.parse(pending.stdout)).toEqual([{ name: files()[0]?.replace(".ts", ""), state: "pending" }]);
    const notYet = await cli(dir, ["migrate", "check"]);
    expect(notYet.code).toBe(1);
    expect(notYet.stdout).toMatch(/pending .*_init \(pending\)/);

    const up = await cli(dir, ["migrate", "up"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain("Applied 1 migration(s).");
    expect(up.stderr).toMatch(/CREATE TABLE "cli_partners"/);
    expect((await cli(dir, ["migrate", "up"])).stdout).toContain("Already up to date.");
    const clean = await cli(dir, ["migrate", "check", "--json"]);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual({ ok: true, pending: [], drift: [] });

    write(dir, "models.ts", modelsSource("cli", { probability: true, renamed: true }));
    const drift = await cli(dir, ["migrate", "check"]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain("+ add column cli_leads.probability (integer)");
    expect(drift.stdout).toContain("- drop column cli_leads.title");
    const refused = await cli(dir, ["migrate", "generate", "v2"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /note: cli_leads\.title disappears and subject appears .*--rename cli_leads\.title:subject/,
    );
    expect(refused.stderr).toMatch(/refused: this migration would lose data:\n {2}drops column cli_leads\.title/);
    expect(files()).toHaveLength(1);
    const renamed = await cli(dir, ["migrate", "generate", "v2", "--rename", "cli_leads.title:subject"]);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).toContain("+ rename column cli_leads.title to subject");
    expect(files()).toHaveLength(2);
    expect((await cli(dir, ["migrate", "up"])).code).toBe(0);
    expect((await cli(dir, ["migrate", "check"])).code).toBe(0);

    expect((await cli(dir, ["sql", "ALTER TABLE cli_leads ADD COLUMN by_hand integer"])).code).toBe(0);
    const byHand = await cli(dir, ["migrate", "check", "--json"]);
    expect(byHand.code).toBe(1);
    expect(JSON.parse(byHand.stdout).drift.map((d: { description: string }) => d.description)).toEqual([
      "drop column cli_leads.by_hand (integer)",
    ]);
    expect((await cli(dir, ["sql", "ALTER TABLE cli_leads DROP COLUMN by_hand"])).code).toBe(0);

    const lossyDown = await cli(dir, ["migrate", "down"]);
    expect(lossyDown.code).toBe(1);
    expect(lossyDown.stderr).toMatch(
      /refused before running anything: down would lose data:\n {2}\d+_v2: drops column cli_leads\.probability/,
    );
    const down = await cli(dir, ["migrate", "down", "1", "--allow-destructive"]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/Reverted 1 migration\(s\): \d+_v2\./);
    const states = JSON.parse((await cli(dir, ["migrate", "status", "--json"])).stdout).map(
      (s: { state: string }) => s.state,
    );
    expect(states).toEqual(["applied", "pending"]);

    const first = join(dir, "migrations", files()[0] as string);
    const original = readFileSync(first, "utf8");
    writeFileSync(first, `${original}// edited\n`);
    const edited = await cli(dir, ["migrate", "up"]);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(/edited since they ran: \d+_init/);
    expect((await cli(dir, ["migrate", "status"])).code).toBe(1);
    writeFileSync(first, original);

    const inspect = await cli(dir, ["inspect"]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain('export const CliLeads = model("cli_leads", {');
    expect(inspect.stdout).toContain('partner_id: f.many2one(() => CliPartners, { onDelete: "cascade" }),');
    expect(inspect.stdout).not.toContain("dotorm_migrations");
    const rows = await cli(dir, ["sql", "SELECT count(*)::int AS n FROM cli_partners", "--json"]);
    expect(rows.code).toBe(0);
    expect(JSON.parse(rows.stdout)).toEqual([{ n: 0 }]);
    const badSql = await cli(dir, ["sql", "SELEC nonsense"]);
    expect(badSql.code).toBe(1);
    expect(badSql.stderr).toMatch(/^error: /);
  }, 600_000);

  test("sync creates what is missing, then has nothing to do", async () => {
    const dir = project("sync", { "dotorm.config.ts": await pgConfig("sync"), "models.ts": modelsSource("syn") });
    const first = await cli(dir, ["sync"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/CREATE TABLE "syn_leads"/);
    const second = await cli(dir, ["sync"]);
    expect(second.stdout).toBe("");
    expect(second.stderr).toContain("sync: nothing to do");
    expect((await cli(dir, ["migrate", "check"])).code).toBe(0);
  }, 300_000);
  test("at a terminal, migrate up and down show a spinner per migration that ends as done or failed", async () => {
    const migration = (n: number, fail = false) => `import { f, type MigrationDb } from "@dotorm/core";
export async function up(db: MigrationDb) {
  await db.schema.createTable("tty_${n}", { v: f.integer() });
  ${fail ? 'throw new Error("boom in the middle");' : ""}
}
export async function down(db: MigrationDb) {
  await db.schema.dropTable("tty_${n}");
}
`;
    const dir = project("tty", {
      "dotorm.config.ts": await pgConfig("tty"),
      "models.ts": "export const models = [];\n",
    });
    write(dir, "migrations/20260101000001_first.ts", migration(1));
    const ok = await cliTty(dir, ["migrate", "up"]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/✔ 20260101000001_first \(\d+ ms\)/);
    expect(ok.stdout).not.toContain("→"); // the plain display is for pipes and CI only
    write(dir, "migrations/20260101000002_second.ts", migration(2, true));
    const bad = await cliTty(dir, ["migrate", "up"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/✖ 20260101000002_second failed/);
    expect(bad.stdout).toContain("boom in the middle");
    const piped = await cli(dir, ["migrate", "down"]);
    expect(piped.stderr).toMatch(/→ 20260101000001_first/);
    expect(piped.stderr).not.toContain("✔");
  }, 300_000);
});
