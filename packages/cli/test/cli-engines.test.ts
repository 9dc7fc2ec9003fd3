import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import mysql2 from "mysql2/promise";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { cli, configSource, keyedModelsSource, modelsSource, project, write } from "./run-cli.js";

const pgUrl = process.env.DOTORM_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const mysqlUrl = process.env.DOTORM_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";
const schema = `dotorm_cli_${process.pid}`;
const database = `dotorm_cli_${process.pid}`;
/** The declared-key flow's own schema and database: `migrate generate` plans against all of it. */
const keyedSchema = `dotorm_clik_${process.pid}`;

async function pgAdmin(sql: string) {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

async function mysqlAdmin(sql: string): Promise<Record<string, unknown>[]> {
  const c = await mysql2.createConnection({ uri: mysqlUrl });
  try {
    const [rows] = await c.query(sql);
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  } finally {
    await c.end();
  }
}

afterAll(async () => {
  await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${keyedSchema}" CASCADE`);
  await mysqlAdmin(`DROP DATABASE IF EXISTS \`${database}\``);
  await mysqlAdmin(`DROP DATABASE IF EXISTS \`${keyedSchema}\``);
});

/** A hand-written migration: a table of its own, and a row in the shared log (proves it ran once). */
const logged = (n: number) => `import { f, type MigrationDb } from "@dotorm/core";
export async function up(db: MigrationDb) {
  ${n === 1 ? 'await db.schema.createTable("cc_log", { what: f.char({ maxLength: 40, required: true }) });' : ""}
  await db.schema.createTable("cc_${n}", { v: f.integer() });
  await db.sql\`INSERT INTO cc_log (what) VALUES (\${"m${n}"})\`;
}
export async function down(db: MigrationDb) {
  await db.schema.dropTable("cc_${n}");
}
`;

/**
 * Two `dotorm migrate up` processes at once on one database: the migration lock lets each migration
 * run exactly once (the shared log table gets one row per migration, the history one per file).
 */
function concurrentUp(
  name: string,
  config: string,
  query: (sql: string) => Promise<Record<string, unknown>[]>,
  table: (t: string) => string,
) {
  test(`two processes running migrate up at once apply each migration exactly once on ${name}`, async () => {
    const dir = project(`${name}-concurrent`, {
      "dotorm.config.ts": config,
      "models.ts": "export const models = [];\n",
    });
    for (const n of [1, 2, 3]) write(dir, `migrations/2026010100000${n}_m${n}.ts`, logged(n));
    const [a, b] = await Promise.all([cli(dir, ["migrate", "up"]), cli(dir, ["migrate", "up"])]);
    expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    const applied = (r: { stderr: string }) => (r.stderr.match(/✓ \S+/g) ?? []).map((s) => s.slice(2));
    expect([...applied(a), ...applied(b)].sort()).toEqual([
      "20260101000001_m1",
      "20260101000002_m2",
      "20260101000003_m3",
    ]);
    const log = await query(`SELECT what FROM ${table("cc_log")} ORDER BY what`);
    expect(log.map((r) => r.what)).toEqual(["m1", "m2", "m3"]);
    const history = await query(
      `SELECT name, dotorm_version, duration_ms >= 0 AS timed FROM ${table("dotorm_migrations")} ORDER BY name`,
    );
    expect(history.map((r) => ({ ...r, timed: Boolean(Number(r.timed)) }))).toEqual(
      ["m1", "m2", "m3"].map((m, i) => ({ name: `2026010100000${i + 1}_${m}`, dotorm_version: "0.1.0", timed: true })),
    );
  }, 180_000);
}

/**
 * Declared keys through the CLI: `migrate generate` writes the key column and key-typed references,
 * `up` applies the file, a second `generate` finds nothing and `check` no drift; `inspect` reads the
 * keys back. On ClickHouse a bigint key is an Int64 like the identity id, so it reads back as
 * implicit, and without foreign keys a reference reads back as a column of the key's type.
 */
function keyedFlow(name: string, prefix: string, config: string, clickhouse = false) {
  test(`declared keys: generate, up, generate again (nothing), check and inspect on ${name}`, async () => {
    const dir = project(`${name}-keys`, { "dotorm.config.ts": config, "models.ts": keyedModelsSource(prefix) });
    const gen = await cli(dir, ["migrate", "generate", "init"]);
    expect(gen.code, gen.stderr).toBe(0);
    const [file] = readdirSync(join(dir, "migrations"));
    const source = readFileSync(join(dir, "migrations", file as string), "utf8");
    expect(source).toContain(
      `db.schema.createTable("${prefix}_tokens", {\n    id: f.uuid({ primaryKey: true, default: "uuid7" }),`,
    );
    expect(source).toContain(`token_id: ref("${prefix}_tokens", { required: true, key: f.uuid() }),`);
    expect(source).toContain(`account_id: ref("${prefix}_accounts", { key: f.bigInteger() }),`);
    expect(source).toContain(
      `db.schema.createLinkTable("${prefix}_token_countries", "${prefix}_tokens_id", "${prefix}_countries_id", { key1: f.uuid(), key2: f.char({ maxLength: 8 }) })`,
    );
    const up = await cli(dir, ["migrate", "up"]);
    expect(up.code, up.stderr).toBe(0);
    const again = await cli(dir, ["migrate", "generate", "again"]);
    expect(again.stdout, again.stderr).toContain("No changes: the database matches the models.");
    const clean = await cli(dir, ["migrate", "check", "--json"]);
    expect(JSON.parse(clean.stdout), clean.stderr).toEqual({ ok: true, pending: [], drift: [] });
    const inspect = await cli(dir, ["inspect"]);
    expect(inspect.code, inspect.stderr).toBe(0);
    const pascal = (t: string) => `${prefix[0]?.toUpperCase()}${prefix.slice(1)}${t}`;
    expect(inspect.stdout).toContain(`model("${prefix}_tokens", {\n  id: f.uuid({ primaryKey: true }),`);
    // ClickHouse's String has no length to read back
    expect(inspect.stdout).toContain(
      `model("${prefix}_countries", {\n  id: f.char({ primaryKey: true${clickhouse ? "" : ", maxLength: 8"} }),`,
    );
    expect(inspect.stdout).toContain(
      !clickhouse
        ? `model("${prefix}_accounts", {\n  id: f.bigInteger({ primaryKey: true }),`
        : `model("${prefix}_accounts", {\n  name:`,
    );
    if (clickhouse) expect(inspect.stdout).toContain("token_id: f.uuid({ index: true, required: true }),");
    else
      expect(inspect.stdout).toContain(
        `token_id: f.many2one(() => ${pascal("Tokens")}, { onDelete: "cascade", required: true }),`,
      );
    expect(inspect.stdout).toContain(`${prefix}_token_countries_ids: f.many2many(() => ${pascal("Countries")}`);
    const down = await cli(dir, ["migrate", "down", "--allow-destructive"]);
    expect(down.code, down.stderr).toBe(0);
  }, 900_000);
}

describe("dotorm CLI [postgres]", async () => {
  await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}"`);
  const config = configSource(
    'import { postgres } from "@dotorm/postgres";',
    `postgres({ url: url ?? ${JSON.stringify(pgUrl)}, schema: ${JSON.stringify(schema)} })`,
  );
  concurrentUp("postgres", config, pgAdmin, (t) => `"${schema}".${t}`);
  await pgAdmin(`DROP SCHEMA IF EXISTS "${keyedSchema}" CASCADE; CREATE SCHEMA "${keyedSchema}"`);
  const keyed = configSource(
    'import { postgres } from "@dotorm/postgres";',
    `postgres({ url: url ?? ${JSON.stringify(pgUrl)}, schema: ${JSON.stringify(keyedSchema)} })`,
  );
  keyedFlow("postgres", "pgk", keyed);
});

/** The short flow on another engine: generate, up, check clean, drift by hand, down to empty. */
function shortFlow(name: string, prefix: string, config: string, addColumn: string) {
  test(`generate, up, check, drift and down on ${name}`, async () => {
    const dir = project(`${name}-flow`, { "dotorm.config.ts": config, "models.ts": modelsSource(prefix) });
    const gen = await cli(dir, ["migrate", "generate", "init"]);
    expect(gen.code, gen.stderr).toBe(0);
    expect((await cli(dir, ["migrate", "up"])).code).toBe(0);
    const clean = await cli(dir, ["migrate", "check", "--json"]);
    expect(JSON.parse(clean.stdout), clean.stderr).toEqual({ ok: true, pending: [], drift: [] });
    expect((await cli(dir, ["sql", addColumn])).code).toBe(0);
    const drift = await cli(dir, ["migrate", "check"]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain(`- drop column ${prefix}_leads.by_hand`);
    const down = await cli(dir, ["migrate", "down", "--allow-destructive"]);
    expect(down.code, down.stderr).toBe(0);
    const inspect = await cli(dir, ["inspect"]);
    expect(inspect.stdout).not.toContain(`${prefix}_leads`);
    // seven processes, each opening its database (PGlite boots its wasm engine in each): generous on a busy machine
  }, 900_000);
}

describe("dotorm CLI [mariadb]", async () => {
  await mysqlAdmin(`DROP DATABASE IF EXISTS \`${database}\``);
  await mysqlAdmin(`CREATE DATABASE \`${database}\``);
  const url = new URL(mysqlUrl);
  url.pathname = `/${database}`;
  const config = configSource(
    'import { mysql } from "@dotorm/mysql";',
    `mysql({ url: url ?? ${JSON.stringify(url.toString())} })`,
  );
  shortFlow("mariadb", "my", config, "ALTER TABLE my_leads ADD COLUMN by_hand INT");
  concurrentUp("mariadb", config, mysqlAdmin, (t) => `\`${database}\`.${t}`);
  await mysqlAdmin(`DROP DATABASE IF EXISTS \`${keyedSchema}\``);
  await mysqlAdmin(`CREATE DATABASE \`${keyedSchema}\``);
  url.pathname = `/${keyedSchema}`;
  keyedFlow(
    "mariadb",
    "myk",
    configSource('import { mysql } from "@dotorm/mysql";', `mysql({ url: url ?? ${JSON.stringify(url.toString())} })`),
  );
});

describe("dotorm CLI [pglite]", () => {
  keyedFlow(
    "pglite",
    "pglk",
    configSource('import { postgres } from "@dotorm/postgres";', 'postgres(url ? { url } : { pglite: "./data" })'),
  );
  shortFlow(
    "pglite",
    "pgl",
    configSource('import { postgres } from "@dotorm/postgres";', 'postgres(url ? { url } : { pglite: "./data" })'),
    "ALTER TABLE pgl_leads ADD COLUMN by_hand INT",
  );
});

describe("dotorm CLI [chdb]", () => {
  keyedFlow(
    "chdb",
    "chk",
    configSource(
      'import { clickhouse } from "@dotorm/clickhouse";',
      'clickhouse(url ? { url } : { embedded: "./data", database: "app" })',
    ),
    true,
  );
  shortFlow(
    "chdb",
    "ch",
    configSource(
      'import { clickhouse } from "@dotorm/clickhouse";',
      'clickhouse(url ? { url } : { embedded: "./data", database: "app" })',
    ),
    "ALTER TABLE ch_leads ADD COLUMN by_hand Nullable(Int32)",
  );
});
