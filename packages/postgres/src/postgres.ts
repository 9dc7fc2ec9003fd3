import { type Adapter, ConfigurationError, type OptionCheck, checkOptions, option } from "@dotorm/core";
import { PostgresCompiler } from "./postgres-compiler.js";
import { PostgresDdl } from "./postgres-ddl.js";
import { PostgresIntrospector } from "./postgres-introspector.js";
import { PgDriver, type PgPoolOptions } from "./pg-driver.js";
import { PgliteDriver } from "./pglite-driver.js";

/** Options of {@link postgres}: a server through `pg` (`url`), or embedded PGlite (`pglite`). */
export interface PostgresOptions extends PgPoolOptions {
  /** `true` for an in-memory database, or a directory to keep it in (`false`: a server, as if absent). */
  pglite?: boolean | string;
}

/** What each option of {@link postgres} accepts (checked at construction, in one place). */
const serverOptions: Record<string, OptionCheck> = {
  url: option.url(["postgres", "postgresql", "socket"], "postgres://user:password@localhost:5432/database"),
  max: option.integer(1, 10_000),
  idleTimeoutMillis: option.ms(),
  acquireTimeout: option.ms(),
  connectionTimeoutMillis: option.ms(),
  statementTimeout: option.ms(),
  queryTimeout: option.ms(),
  keepAlive: option.boolean(),
  schema: option.identifier(),
  prepare: option.boolean(),
  maxPreparedStatements: option.integer(1, 100_000),
};
const spec: Record<string, OptionCheck> = {
  ...serverOptions,
  pglite: (v) => (typeof v === "boolean" || (typeof v === "string" && v.length > 0) ? undefined : `must be true (in memory) or a directory, got ${JSON.stringify(v)}`),
};

/** Checks the options; refuses server options next to `pglite`, where they would be silently ignored. */
function checkPostgresOptions(options: PostgresOptions): void {
  checkOptions("postgres", options, spec);
  if (!options.pglite) return;
  const ignored = Object.keys(options).filter((k) => k !== "pglite" && (options as Record<string, unknown>)[k] !== undefined);
  if (ignored.includes("url")) throw new ConfigurationError("postgres(): give either url (a server) or pglite (embedded), not both");
  if (ignored.length > 0) {
    throw new ConfigurationError(`postgres({ ${ignored.join(", ")} }) ${ignored.length > 1 ? "apply" : "applies"} to a server (url), not to embedded PGlite (one in-process session); leave ${ignored.length > 1 ? "them" : "it"} out with pglite`);
  }
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
 * postgres({ url: "not a url" }); // throws ConfigurationError: postgres({ url }): "not a url" is not a URL; ...
 */
export function postgres(options: PostgresOptions = {}): Adapter {
  checkPostgresOptions(options);
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
  try {
    return await mod.PGlite.create(where === true ? undefined : where);
  } catch (e) {
    // PGlite's file system errors are plain objects ({ name: "ErrnoError", errno }), not Errors
    const err = e as { message?: unknown; name?: unknown; errno?: unknown } | undefined;
    const why = typeof err?.message === "string" ? err.message : `${String(err?.name ?? "error")}${err?.errno !== undefined ? ` (errno ${String(err.errno)})` : ""}`;
    throw new ConfigurationError(`postgres({ pglite }): PGlite could not open ${where === true ? "an in-memory database" : JSON.stringify(where)}: ${why}; give a directory it can create or write`, { cause: e });
  }
}
