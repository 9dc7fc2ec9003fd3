import { UnsupportedError } from "../errors.js";
import type { ModelMeta } from "../model/model-meta.js";
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
  const desired = desiredSchema([...db.models.values()], adapter.ddl, { foreignKeys: adapter.capabilities.foreignKeys });
  const actual = await adapter.introspector.describe((q) => db.exec(q, { operation: "migrate" }));
  const diff = diffSchema(desired, actual, adapter.ddl, { renames: options.renames, uniqueConstraints: adapter.capabilities.uniqueConstraints !== false });
  refuseDeclaredKeys([...db.models.values()], diff, adapter.dialect);
  return diff;
}

/**
 * Migrations write integer ids and integer references: a table to create (or a column or link
 * table to add) that involves a declared key (uuid, char, bigint `id`) would come out wrong, so
 * it is refused, naming the table, rather than generated. `db.sync()` creates them with the key's type.
 */
function refuseDeclaredKeys(models: readonly ModelMeta[], diff: SchemaDiff, dialect: string): void {
  const keyed = new Set<string>();
  for (const model of models) {
    if (!model.identity) keyed.add(model.table);
    for (const field of model.fields.values()) {
      const declared = (field.kind === "many2one" || field.kind === "many2many") && (!field.target().identity || !model.identity);
      if (!declared) continue;
      if (field.kind === "many2many") keyed.add(field.link!().table);
      else if (!field.target().identity) keyed.add(`${model.table}.${field.column}`);
    }
  }
  for (const op of diff.operations) {
    const hit =
      ((op.kind === "createTable" || op.kind === "createLinkTable") && keyed.has(op.table)) ||
      (op.kind === "createTable" && Object.keys(op.columns).some((c) => keyed.has(`${op.table}.${c}`))) ||
      (op.kind === "addColumn" && keyed.has(`${op.table}.${op.column}`));
    if (hit) {
      throw new UnsupportedError(`a migration of ${op.table}, which has or references a declared primary key`, dialect, "create it with db.sync(), which writes the key's type; migrations write integer ids for now");
    }
  }
}
