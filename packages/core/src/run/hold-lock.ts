import type { MigrationLockSql } from "../sql/ddl-compiler.js";
import type { Runner } from "./runner.js";

/**
 * Runs `fn` inside a transaction (which pins one connection) after taking `lock` on that connection,
 * and releases it afterwards when the lock has a release statement. When the lock statement reports
 * that it timed out (MySQL's GET_LOCK returns 0, or NULL on error), `refused()` is thrown instead.
 *
 * @example
 * await holdLock(db, ddl.syncLock()!, "sync", () => plan(), () => new QueryError("another sync holds the lock"));
 */
export function holdLock<T>(
  db: Runner,
  lock: MigrationLockSql,
  operation: "sync" | "migrate",
  fn: () => Promise<T>,
  refused: () => Error,
): Promise<T> {
  return db.transaction(async () => {
    const got = await db.exec({ sql: lock.acquire, params: [] }, { operation });
    // PostgreSQL's lock returns void (read as ""), GET_LOCK 1 when held, 0 on timeout, NULL on error.
    const first = got.rows[0] ? Object.values(got.rows[0])[0] : "";
    if (!(first === "" || first === 1 || first === "1" || first === 1n || first === true)) throw refused();
    try {
      return await fn();
    } finally {
      if (lock.release) await db.exec({ sql: lock.release, params: [] }, { operation });
    }
  });
}
