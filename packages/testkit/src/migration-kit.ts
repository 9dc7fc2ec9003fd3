import {
  type AnyModel,
  type Database,
  type Migration,
  type Rename,
  type SchemaInfo,
  type SchemaOperation,
  connect,
  destructiveReason,
  inverseOfAll,
  isDotormTable,
  planMigration,
} from "@dotorm/core";

/**
 * Helpers of the migrations suites: a second database on the suite's adapter (never closed: the
 * harness closes the shared driver), a migration built from planned operations as
 * `migrate generate` writes it, and the schema without DotORM's own tables.
 */
export function migrationKit(db: () => Database) {
  // bind: false: the same models go to several of these databases, which stay open (db.model(M) reaches them)
  const on = (models: readonly AnyModel[]) => connect(db().adapter, { models, bind: false });
  return {
    on,
    /** Plans the change to `models` and wraps it as a migration named `name`. */
    async generate(models: readonly AnyModel[], name: string, renames?: readonly Rename[]) {
      const target = await on(models);
      const { operations, renameCandidates } = await planMigration(target, { renames });
      return { db: target, operations, renameCandidates, migration: fromOperations(name, operations) };
    },
    /** Tables, columns, indexes and keys of the namespace, DotORM's own tables left out. */
    async schema(): Promise<SchemaInfo> {
      const d = db();
      const all = await d.adapter.introspector.describe((q) => d.exec(q));
      return new Map([...all].filter(([t]) => !isDotormTable(t)));
    },
  };
}

/** A migration whose up applies `operations` and whose down applies their inverse. */
export function fromOperations(name: string, operations: readonly SchemaOperation[]): Migration {
  const down = inverseOfAll(operations);
  return {
    name,
    checksum: `sum-${name}-${operations.length}`,
    destructive: operations.map(destructiveReason).filter((r): r is string => r !== undefined),
    destructiveDown: down.map(destructiveReason).filter((r): r is string => r !== undefined),
    async up(mdb) {
      for (const op of operations) await mdb.schema.apply(op);
    },
    async down(mdb) {
      for (const op of down) await mdb.schema.apply(op);
    },
  };
}
