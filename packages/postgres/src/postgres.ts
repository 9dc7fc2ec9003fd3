import { type Adapter, ConfigurationError } from "@dotorm/core";
import { PostgresCompiler } from "./postgres-compiler.js";
import { PostgresDdl } from "./postgres-ddl.js";
import { PostgresIntrospector } from "./postgres-introspector.js";
import { PgDriver, type PgPoolOptions } from "./pg-driver.js";
import { PgliteDriver } from "./pglite-driver.js";

/** Options of {@link postgres}: a server through `pg` (`url`), or embedded PGlite (`pglite`). */
export interface PostgresOptions extends PgPoolOptions {
  /** `true` for an in-memory database, or a directory to keep it in. */
  pglite?: true | string;
}

const capabilities = {
  returning: true,
  transactions: true,
  savepoints: true,
  transactionalDdl: true,
  foreignKeys: true,
  clientIds: false,
  rowLocks: true,
} as const;

/**
 * The PostgreSQL adapter.
 *
 * @example
 * const db = await connect(postgres({ url: "postgres://postgres@127.0.0.1:5432/app" }), { models });
 * const dev = await connect(postgres({ pglite: true }), { models });          // in memory
 * const local = await connect(postgres({ pglite: "./data/pg" }), { models }); // on disk
 */
export function postgres(options: PostgresOptions = {}): Adapter {
  if (options.pglite && options.url) throw new ConfigurationError("postgres(): give either url (a server) or pglite (embedded), not both");
  const driver = options.pglite ? new PgliteDriver(openPglite(options.pglite)) : new PgDriver(options);
  return {
    dialect: options.pglite ? "pglite" : "postgres",
    capabilities,
    compiler: new PostgresCompiler(),
    ddl: new PostgresDdl(),
    driver,
    introspector: new PostgresIntrospector(),
  };
}

async function openPglite(where: true | string) {
  let mod: typeof import("@electric-sql/pglite");
  try {
    mod = await import("@electric-sql/pglite");
  } catch (e) {
    throw new ConfigurationError("postgres({ pglite }) needs the @electric-sql/pglite package: npm install @electric-sql/pglite", { cause: e });
  }
  return mod.PGlite.create(where === true ? undefined : where);
}
