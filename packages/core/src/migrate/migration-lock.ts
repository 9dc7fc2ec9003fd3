import { randomUUID } from "node:crypto";
import { f } from "../model/f.js";
import type { Database } from "../run/database.js";
import { holdLock } from "../run/hold-lock.js";
import { type TableOptions, tableMeta } from "./column-field.js";
import { ensureTable } from "./history.js";
import { MigrationError } from "./migration-error.js";

const lockTable = "dotorm_migrations_lock";

/** Options of {@link withMigrationLock}. */
export interface LockOptions {
  /** How long to wait for another process's lock, in ms (default 60,000). */
  readonly waitMs?: number;
  /** How long a lock row stays valid if its process dies (default 10 minutes). */
  readonly expiryMs?: number;
}

/**
 * Runs `fn` holding the migration lock, so two processes never apply the same migration: the
 * adapter's lock statement on the migration's own connection (PostgreSQL's transaction-scoped
 * advisory lock, MySQL's GET_LOCK) inside a transaction, or where the database has neither, a lock
 * row with an expiry (ClickHouse): the oldest live row holds the lock.
 */
export async function withMigrationLock<T>(db: Database, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = db.adapter.ddl.migrationLock();
  if (lock && db.adapter.capabilities.transactions) {
    const refused = () =>
      new MigrationError(
        `could not take the migration lock within its timeout (${lock.acquire}); another process is migrating: try again when it is done`,
      );
    return holdLock(db, lock, "migrate", fn, refused);
  }
  return withLockRow(db, fn, options);
}

async function withLockRow<T>(db: Database, fn: () => Promise<T>, options: LockOptions): Promise<T> {
  await ensureTable(
    db,
    tableMeta(
      lockTable,
      {
        token: f.char({ maxLength: 64, required: true }),
        acquired_at: f.datetime({ required: true }),
        expires_at: f.datetime({ required: true }),
      },
      { clickhouse: { orderBy: ["token"] } } as TableOptions,
    ),
  ); // opaque: @dotorm/clickhouse declares the key
  const { sql } = db;
  const token = randomUUID();
  const table = sql.id(lockTable);
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  const expiry = new Date(Date.now() + (options.expiryMs ?? 600_000));
  for (;;) {
    await sql`INSERT INTO ${table} (${sql.id("token")}, ${sql.id("acquired_at")}, ${sql.id("expires_at")}) VALUES (${token}, ${new Date()}, ${expiry})`;
    const first = () =>
      sql`SELECT ${sql.id("token")} AS token, ${sql.id("expires_at")} AS expires_at FROM ${table} WHERE ${sql.id("expires_at")} > ${new Date()} ORDER BY ${sql.id("acquired_at")}, ${sql.id("token")} LIMIT 1`;
    let live = await first();
    // Read again after a pause: a row inserted with an earlier time but seen later wins then.
    if (live[0]?.token === token) {
      await pause(150);
      live = await first();
      if (live[0]?.token === token) break;
    }
    await sql`DELETE FROM ${table} WHERE ${sql.id("token")} = ${token}`;
    if (Date.now() > deadline) {
      throw new MigrationError(
        `another process holds the migration lock (until ${String(live[0]?.expires_at)} at the latest); try again when it is done, or delete its row from ${lockTable} if it died`,
      );
    }
    await pause(100 + Math.random() * 100);
  }
  try {
    return await fn();
  } finally {
    await sql`DELETE FROM ${table} WHERE ${sql.id("token")} = ${token}`;
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
