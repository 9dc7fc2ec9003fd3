import { mkdirSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { createInterface } from "node:readline/promises";
import {
  ConfigurationError,
  MigrationError,
  Migrator,
  type Rename,
  type RunOptions,
  describeOperation,
  destructiveReason,
  migrationSource,
  planMigration,
} from "@dotorm/core";
import { type GlobalOptions, type Io, color, onCI, withDatabase } from "./context.js";
import { loadMigrations, migrationFile, timestamp } from "./migration-files.js";
import { migrationProgress } from "./migration-progress.js";

type RunFlags = GlobalOptions & { allowDestructive?: boolean };

/** Runs a migration pass with progress on stderr: a spinner on a terminal, plain lines elsewhere. */
async function withProgress<T>(
  io: Io,
  run: (onProgress: NonNullable<RunOptions["onProgress"]>) => Promise<T>,
): Promise<T> {
  const progress = migrationProgress(io, process.stderr.isTTY === true && !onCI());
  try {
    return await run(progress.onProgress);
  } catch (e) {
    progress.fail();
    throw e;
  }
}

/** `--rename leads.title:subject` (or `title:subject` when one table has that pair). */
function parseRenames(values: readonly string[]): { table?: string; from: string; to: string }[] {
  return values.map((v) => {
    const m = /^(?:([A-Za-z_][\w]*)\.)?([A-Za-z_]\w*):([A-Za-z_]\w*)$/.exec(v);
    if (!m) throw new ConfigurationError(`--rename takes table.old:new or old:new, got ${JSON.stringify(v)}`);
    return { table: m[1], from: m[2] as string, to: m[3] as string };
  });
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** `dotorm migrate generate <name>`: diffs the models with the database and writes a migration file. */
export function generate(
  io: Io,
  name: string,
  options: RunFlags & { rename?: string[]; empty?: boolean },
): Promise<number> {
  if (!/^[A-Za-z0-9_]+$/.test(name))
    throw new ConfigurationError(`the migration name must be letters, digits and _, got ${JSON.stringify(name)}`);
  return withDatabase(options, async (db, config) => {
    const migrations = await loadMigrations(config.migrationsDir, config.root);
    const pending = (await new Migrator(db, migrations).status()).filter((s) => s.state === "pending");
    if (pending.length) {
      throw new MigrationError(
        `apply the pending migrations first (dotorm migrate up): ${pending.map((p) => p.name).join(", ")}; a new one is planned against the database as it is`,
      );
    }
    const asked = parseRenames(options.rename ?? []);
    let plan = await planMigration(db);
    const renames: Rename[] = [];
    for (const c of plan.renameCandidates) {
      const flagged = asked.some(
        (r) => r.from === c.from && r.to === c.to && (r.table === undefined || r.table === c.table),
      );
      if (flagged || (await confirm(`Was ${c.table}.${c.from} renamed to ${c.to}?`))) renames.push(c);
      else
        io.err(
          color.yellow(
            `note: ${c.table}.${c.from} disappears and ${c.to} appears with the same type; if it is a rename, pass --rename ${c.table}.${c.from}:${c.to}`,
          ),
        );
    }
    if (renames.length) plan = await planMigration(db, { renames });
    const ops = plan.operations;
    if (!ops.length && !options.empty) {
      io.out("No changes: the database matches the models.");
      return 0;
    }
    const lossy = ops.map(destructiveReason).filter((r): r is string => r !== undefined);
    if (lossy.length && !options.allowDestructive) {
      io.err(
        color.red(
          `refused: this migration would lose data:\n  ${lossy.join("\n  ")}\nRun again with --allow-destructive to write it anyway.`,
        ),
      );
      return 1;
    }
    mkdirSync(config.migrationsDir, { recursive: true });
    const taken = existsSync(config.migrationsDir)
      ? readdirSync(config.migrationsDir).filter((f) => migrationFile.test(f))
      : [];
    const file = join(config.migrationsDir, `${timestamp(taken)}_${name}.ts`);
    writeFileSync(file, migrationSource(ops, db.adapter.ddl, db.adapter.dialect));
    for (const op of ops)
      io.out(`  ${destructiveReason(op) ? color.red("!") : color.green("+")} ${describeOperation(op)}`);
    io.out(`${color.green("wrote")} ${relative(process.cwd(), file)} (${ops.length} step(s))`);
    return 0;
  });
}

/** `dotorm migrate up [--to name]`. */
export function up(io: Io, options: RunFlags & { to?: string }): Promise<number> {
  return withDatabase(options, async (db, config) => {
    const migrator = new Migrator(db, await loadMigrations(config.migrationsDir, config.root));
    const done = await withProgress(io, (onProgress) =>
      migrator.up({ allowDestructive: options.allowDestructive, to: options.to, onProgress }),
    );
    io.out(done.length ? `Applied ${done.length} migration(s).` : "Already up to date.");
    return 0;
  });
}

/** `dotorm migrate down [n]`. */
export function down(io: Io, count: string | undefined, options: RunFlags): Promise<number> {
  const n = count === undefined ? 1 : Number(count);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigurationError(`migrate down takes a positive number of migrations, got ${JSON.stringify(count)}`);
  return withDatabase(options, async (db, config) => {
    const migrator = new Migrator(db, await loadMigrations(config.migrationsDir, config.root));
    const done = await withProgress(io, (onProgress) =>
      migrator.down(n, { allowDestructive: options.allowDestructive, onProgress }),
    );
    io.out(done.length ? `Reverted ${done.length} migration(s): ${done.join(", ")}.` : "Nothing to revert.");
    return 0;
  });
}

/** `dotorm migrate resolve <name>`: forgets a failed run once repaired by hand. */
export function resolveFailed(io: Io, name: string, options: GlobalOptions): Promise<number> {
  return withDatabase(options, async (db, config) => {
    await new Migrator(db, await loadMigrations(config.migrationsDir, config.root)).resolve(name);
    io.out(`Resolved ${name}: it is pending again.`);
    return 0;
  });
}

/** `dotorm migrate status [--json]`: exits 1 when a migration failed or an applied file changed. */
export function status(io: Io, options: GlobalOptions & { json?: boolean }): Promise<number> {
  return withDatabase(options, async (db, config) => {
    const list = await new Migrator(db, await loadMigrations(config.migrationsDir, config.root)).status();
    if (options.json) io.out(JSON.stringify(list.map((s) => ({ ...s, appliedAt: s.appliedAt?.toISOString() }))));
    else {
      const paint = {
        applied: color.green,
        pending: color.yellow,
        failed: color.red,
        changed: color.red,
        missing: color.magenta,
      };
      for (const s of list) {
        const when = s.appliedAt ? color.dim(` ${s.appliedAt.toISOString()} (${s.durationMs} ms)`) : "";
        io.out(`${paint[s.state](s.state.padEnd(8))} ${s.name}${when}${s.error ? color.red(` ${s.error}`) : ""}`);
      }
      if (!list.length) io.out("No migrations.");
    }
    return list.some((s) => s.state === "failed" || s.state === "changed") ? 1 : 0;
  });
}

/** `dotorm migrate check [--json]`: exits 1 when migrations are pending or the database differs from the models. */
export function check(io: Io, options: GlobalOptions & { json?: boolean }): Promise<number> {
  return withDatabase(options, async (db, config) => {
    const list = await new Migrator(db, await loadMigrations(config.migrationsDir, config.root)).status();
    const pending = list
      .filter((s) => s.state !== "applied" && s.state !== "missing")
      .map((s) => ({ name: s.name, state: s.state }));
    const drift = (await planMigration(db)).operations.map((op) => ({
      ...op,
      description: describeOperation(op),
      destructive: destructiveReason(op) !== undefined,
    }));
    const ok = !pending.length && !drift.length;
    if (options.json) io.out(JSON.stringify({ ok, pending, drift }));
    else if (ok) io.out(color.green("The database matches the models and every migration is applied."));
    else {
      for (const p of pending) io.out(`${color.yellow("pending")} ${p.name} (${p.state})`);
      if (drift.length) io.out("The database differs from the models; to make it match:");
      for (const d of drift) io.out(`  ${d.destructive ? color.red("-") : color.green("+")} ${d.description}`);
    }
    return ok ? 0 : 1;
  });
}
