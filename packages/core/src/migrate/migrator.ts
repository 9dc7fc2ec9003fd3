import type { Database } from "../run/database.js";
import { History, type HistoryRow } from "./history.js";
import { MigrationError } from "./migration-error.js";
import { type LockOptions, withMigrationLock } from "./migration-lock.js";
import { type MigrationDb, SchemaBuilder, migrationDb } from "./schema-builder.js";

/** A migration as the runner takes it (the CLI loads these from `migrations/<timestamp>_<name>.ts`). */
export interface Migration {
  /** The file name without extension, e.g. `20261130124500_add_probability`; sorts in order. */
  readonly name: string;
  /** Hash of the file's content: an applied migration whose file changed is an error. */
  readonly checksum: string;
  up(db: MigrationDb): Promise<void>;
  down(db: MigrationDb): Promise<void>;
  /** What `up` loses (from the generator); non-empty means `--allow-destructive` is needed. */
  readonly destructive?: readonly string[];
  /** What `down` loses. */
  readonly destructiveDown?: readonly string[];
}

/** Where a migration stands. */
export interface MigrationStatus {
  readonly name: string;
  /** applied; pending; failed (stopped midway); changed (applied, file edited since); missing (applied, no file). */
  readonly state: "applied" | "pending" | "failed" | "changed" | "missing";
  readonly appliedAt?: Date;
  readonly durationMs?: number;
  readonly step?: number;
  readonly error?: string;
}

/** Options of {@link Migrator.up} and {@link Migrator.down}. */
export interface RunOptions extends LockOptions {
  /** Lets migrations that lose data run. */
  readonly allowDestructive?: boolean;
  /** `up`: stop after this migration (inclusive). */
  readonly to?: string;
  /** Progress: a migration starts or ends, a statement is sent. */
  readonly onProgress?: (
    event:
      | { type: "start" | "done"; name: string; durationMs?: number }
      | { type: "statement"; name: string; sql: string },
  ) => void;
}

/**
 * Applies and reverts migrations, recording them in `dotorm_migrations` (name, checksum,
 * applied_at, duration_ms, dotorm version). Each migration runs under the migration lock, and in a
 * transaction where DDL is transactional (PostgreSQL): a failure leaves nothing behind. Elsewhere a
 * failure is recorded with the step that failed, and further runs stop until it is resolved.
 *
 * @example
 * const migrator = new Migrator(db, migrations);
 * await migrator.up({ allowDestructive: false });
 * console.table(await migrator.status());
 */
export class Migrator {
  private readonly history: History;
  private readonly migrations: readonly Migration[];

  constructor(
    private readonly db: Database,
    migrations: readonly Migration[],
  ) {
    this.history = new History(db);
    const names = new Set<string>();
    for (const m of migrations) {
      if (names.has(m.name)) throw new MigrationError(`two migrations are named ${m.name}; rename one file`, m.name);
      names.add(m.name);
    }
    this.migrations = [...migrations].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every migration, file or history row, and where it stands. */
  async status(): Promise<MigrationStatus[]> {
    await this.history.ensure();
    return statusOf(this.migrations, await this.history.rows());
  }

  /** Applies the pending migrations (up to `options.to`); returns their names. */
  async up(options: RunOptions = {}): Promise<string[]> {
    await this.history.ensure();
    const status = statusOf(this.migrations, await this.history.rows());
    blockOnProblems(status);
    let pending = this.migrations.filter((m) => status.find((s) => s.name === m.name)?.state === "pending");
    if (options.to !== undefined) {
      const stop = pending.findIndex((m) => m.name === options.to || m.name.endsWith(`_${options.to}`));
      if (stop < 0)
        throw new MigrationError(`--to ${options.to}: no pending migration has that name (see dotorm migrate status)`);
      pending = pending.slice(0, stop + 1);
    }
    refuseDestructive(pending, (m) => m.destructive, options, "up");
    const done: string[] = [];
    for (const m of pending) if (await this.runOne(m, "up", options)) done.push(m.name);
    return done;
  }

  /** Reverts the last `count` applied migrations (default 1), newest first; returns their names. */
  async down(count = 1, options: RunOptions = {}): Promise<string[]> {
    if (!Number.isInteger(count) || count < 1)
      throw new MigrationError(`down takes a positive number of migrations, got ${count}`);
    await this.history.ensure();
    const status = statusOf(this.migrations, await this.history.rows());
    blockOnProblems(status);
    const applied = status
      .filter((s) => s.state === "applied")
      .map((s) => this.migrations.find((m) => m.name === s.name) as Migration);
    const chosen = applied.slice(-count).reverse();
    refuseDestructive(chosen, (m) => m.destructiveDown, options, "down");
    const done: string[] = [];
    for (const m of chosen) if (await this.runOne(m, "down", options)) done.push(m.name);
    return done;
  }

  /** Forgets a failed migration's history row, once its partial steps were repaired by hand. */
  async resolve(name: string): Promise<void> {
    await this.history.ensure();
    const row = (await this.history.rows()).find((r) => r.name === name);
    if (row?.status !== "failed")
      throw new MigrationError(`${name} has no failed run to resolve (see dotorm migrate status)`, name);
    await this.history.remove(name);
  }

  /** Runs one migration under the lock; false when another process already did it. */
  private async runOne(m: Migration, direction: "up" | "down", options: RunOptions): Promise<boolean> {
    const transactional = this.db.adapter.capabilities.transactionalDdl;
    const outcome = await withMigrationLock(
      this.db,
      async () => {
        const row = (await this.history.rows()).find((r) => r.name === m.name);
        if (row?.status === "failed") throw failedError(row);
        if ((direction === "up") === (row !== undefined)) return { ran: false as const };
        options.onProgress?.({ type: "start", name: m.name });
        const schema = new SchemaBuilder(this.db, {
          allowDestructive: options.allowDestructive,
          onStatement: (sql) => options.onProgress?.({ type: "statement", name: m.name, sql }),
        });
        const start = performance.now();
        try {
          await m[direction](migrationDb(this.db, schema));
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          const where = `step ${schema.steps}${schema.current ? ` (${schema.current})` : ""}`;
          if (transactional) {
            throw new MigrationError(
              `${direction} of ${m.name} failed at ${where}: ${message}. Nothing of it was applied (the transaction was rolled back).`,
              m.name,
              { cause: e },
            );
          }
          if (direction === "up" && schema.sent > 0) {
            await this.history.record({
              name: m.name,
              checksum: m.checksum,
              appliedAt: new Date(),
              durationMs: performance.now() - start,
              status: "failed",
              step: schema.steps,
              error: `${where}: ${message}`,
            });
          }
          const note =
            schema.sent === 0
              ? "Nothing was sent to the database."
              : direction === "up"
                ? stepsNote(schema.steps)
                : `${m.name} stays applied in the history; steps before ${schema.steps} were reverted and stay so: repair by hand, then run down again.`;
          return {
            ran: false as const,
            error: new MigrationError(`${direction} of ${m.name} failed at ${where}: ${message}. ${note}`, m.name, {
              cause: e,
            }),
          };
        }
        const durationMs = performance.now() - start;
        if (direction === "up")
          await this.history.record({
            name: m.name,
            checksum: m.checksum,
            appliedAt: new Date(),
            durationMs,
            status: "applied",
            step: 0,
            error: "",
          });
        else await this.history.remove(m.name);
        options.onProgress?.({ type: "done", name: m.name, durationMs });
        return { ran: true as const };
      },
      options,
    );
    if ("error" in outcome && outcome.error) throw outcome.error;
    return outcome.ran;
  }
}

function stepsNote(step: number): string {
  const done =
    step > 1 ? `Steps 1 to ${step - 1} were applied and stay` : "Earlier statements of this step may have been applied";
  return `${done} (this database has no transactional DDL); the history records the failure: repair the schema by hand, then run \`dotorm migrate resolve\` and \`up\` again.`;
}

function failedError(row: HistoryRow): MigrationError {
  return new MigrationError(
    `migration ${row.name} failed earlier at ${row.error}. Repair what its earlier steps left, then run \`dotorm migrate resolve ${row.name}\` before migrating again`,
    row.name,
  );
}

function statusOf(migrations: readonly Migration[], rows: readonly HistoryRow[]): MigrationStatus[] {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const out: MigrationStatus[] = migrations.map((m) => {
    const r = byName.get(m.name);
    if (!r) return { name: m.name, state: "pending" };
    const base = { name: m.name, appliedAt: r.appliedAt, durationMs: r.durationMs };
    if (r.status === "failed") return { ...base, state: "failed", step: r.step, error: r.error };
    return { ...base, state: r.checksum === m.checksum ? "applied" : "changed" };
  });
  for (const r of rows)
    if (!migrations.some((m) => m.name === r.name))
      out.push({
        name: r.name,
        state: r.status === "failed" ? "failed" : "missing",
        appliedAt: r.appliedAt,
        durationMs: r.durationMs,
        step: r.step,
        error: r.error,
      });
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function blockOnProblems(status: readonly MigrationStatus[]) {
  const changed = status.filter((s) => s.state === "changed").map((s) => s.name);
  if (changed.length) {
    throw new MigrationError(
      `applied migration files were edited since they ran: ${changed.join(", ")}. Restore them (git checkout) and put new changes in a new migration`,
      changed[0],
    );
  }
  const failed = status.find((s) => s.state === "failed");
  if (failed) throw failedError({ name: failed.name, error: failed.error ?? "", step: failed.step ?? 0 } as HistoryRow);
}

function refuseDestructive(
  list: readonly Migration[],
  pick: (m: Migration) => readonly string[] | undefined,
  options: RunOptions,
  direction: string,
) {
  if (options.allowDestructive) return;
  const lossy = list.flatMap((m) => (pick(m) ?? []).map((what) => `${m.name}: ${what}`));
  if (lossy.length) {
    throw new MigrationError(
      `refused before running anything: ${direction} would lose data:\n  ${lossy.join("\n  ")}\nRun again with --allow-destructive (allowDestructive: true) to go ahead.`,
    );
  }
}
