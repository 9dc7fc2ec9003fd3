import type { ModelMeta } from "../model/model-meta.js";
import { planSync } from "../sql/plan-sync.js";
import type { Database } from "./database.js";

/**
 * `db.sync()`: creates missing tables, columns, indexes, foreign keys and many2many link tables,
 * under the dialect's sync lock, in one transaction where DDL is transactional. Never drops or alters.
 *
 * @example
 * const statements = await syncModels(db); // [] on a second run
 */
export function syncModels(db: Database): Promise<string[]> {
  const { introspector, ddl, capabilities } = db.adapter;
  const models = [...db.models.values()];
  const tables = [...new Set([...models.map((m) => m.table), ...linkTables(models)])];
  const work = async () => {
    const lock = ddl.syncLock();
    if (lock) await db.exec({ sql: lock, params: [] }, { operation: "sync" });
    const schema = await introspector.introspect((q) => db.exec(q, { operation: "sync" }), tables);
    const statements = planSync(models, schema, ddl, { foreignKeys: capabilities.foreignKeys });
    for (const sql of statements) await db.exec({ sql, params: [] }, { operation: "sync" });
    return statements;
  };
  return capabilities.transactionalDdl ? db.transaction(work) : work();
}

function linkTables(models: readonly ModelMeta[]): string[] {
  return models.flatMap((m) => [...m.fields.values()].filter((f) => f.kind === "many2many").map((f) => f.link!().table));
}
