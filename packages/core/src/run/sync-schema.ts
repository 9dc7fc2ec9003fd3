import type { ModelMeta } from "../model/model-meta.js";
import { planSync } from "../sql/plan-sync.js";
import { ConfigurationError } from "../errors.js";
import type { Runner } from "./runner.js";
import { holdLock } from "./hold-lock.js";

/**
 * `db.sync()`: creates missing tables, columns, indexes, foreign keys and many2many link tables,
 * in one transaction where DDL is transactional, behind the adapter's sync lock. Never drops or
 * alters; a second run sends no DDL. Returns the statements it ran.
 *
 * @example
 * const ran = await syncSchema(db); // ["CREATE TABLE \"leads\" (...)", "CREATE INDEX ..."]
 */
export function syncSchema(db: Runner): Promise<string[]> {
  const { introspector, ddl, capabilities } = db.adapter;
  const models = [...db.models.values()];
  const tables = [...new Set([...models.map((m) => m.table), ...linkTables(models)])];
  const work = async () => {
    const schema = await introspector.introspect((q) => db.exec(q, { operation: "sync" }), tables);
    const statements = planSync(models, schema, ddl, { foreignKeys: capabilities.foreignKeys });
    for (const sql of statements) await db.exec({ sql, params: [], kind: "ddl" }, { operation: "sync" });
    return statements;
  };
  const lock = ddl.syncLock();
  if (lock && capabilities.transactions) {
    const refused = () =>
      new ConfigurationError(
        `could not take the sync lock within its timeout (${lock.acquire}): another process is syncing this database; try again when it is done`,
      );
    return holdLock(db, lock, "sync", work, refused);
  }
  return capabilities.transactionalDdl ? db.transaction(work) : work();
}

function linkTables(models: readonly ModelMeta[]): string[] {
  return models.flatMap((m) =>
    [...m.fields.values()].filter((f) => f.kind === "many2many").map((f) => f.link!().table),
  );
}
