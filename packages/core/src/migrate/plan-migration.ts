import type { Database } from "../run/database.js";
import { desiredSchema } from "./desired-schema.js";
import { type Rename, type SchemaDiff, diffSchema } from "./diff-schema.js";

/**
 * Compares the models connected to `db` with its database: the operations a new migration needs,
 * or, for `migrate check`, the drift (empty when they agree).
 *
 * @example
 * const { operations } = await planMigration(db);
 * if (operations.length) console.log(operations.map(describeOperation).join("\n"));
 */
export async function planMigration(db: Database, options: { renames?: readonly Rename[] } = {}): Promise<SchemaDiff> {
  const { adapter } = db;
  const desired = desiredSchema([...db.models.values()], adapter.ddl, {
    foreignKeys: adapter.capabilities.foreignKeys,
  });
  const actual = await adapter.introspector.describe((q) => db.exec(q, { operation: "migrate" }));
  return diffSchema(desired, actual, adapter.ddl, {
    renames: options.renames,
    uniqueConstraints: adapter.capabilities.uniqueConstraints !== false,
    dialect: adapter.dialect,
  });
}
