import {
  type Adapter,
  ConfigurationError,
  type Driver,
  type OptionCheck,
  ReplicatedDriver,
  checkOptions,
  option,
} from "@dotorm/core";
import { PostgresCompiler } from "./postgres-compiler.js";
import { PostgresDdl } from "./postgres-ddl.js";
import { PostgresIntrospector } from "./postgres-introspector.js";
import { PgDriver, type PgPoolOptions } from "./pg-driver.js";
import { PgliteDriver } from "./pglite-driver.js";
import { postgresReplicaLag } from "./replica-lag.js";
import { postgresPlanReader } from "./postgres-plan-reader.js";

/** Options of {@link postgres}: a server through `pg` (`url`), or embedded PGlite (`pglite`). */
export interface PostgresOptions extends PgPoolOptions {
  /** `true` for an in-memory database, or a directory to keep it in (`false`: a server, as if absent). */
  pglite?: boolean | string;
  /**
   * Read replicas (streaming standbys of `url`): reads outside transactions go to them in turn,
   * everything else to `url`. Each gets a pool with the same options. See `db.primary()` and the
   * `{ replica: false }` read option for read-your-writes.
   */
  replicas?: readonly string[];
  /** Skip a replica more than this many ms behind (`pg_last_xact_replay_timestamp()`, read at most once a second). */
  maxReplicaLag?: number;
  /** How long a replica that could not be reached is left out, in ms (default 30,000); its calls go to the primary. */
  replicaRetryAfter?: number;
}

/** What each option of {@link postgres} accepts (checked at construction, in one place). */
const serverUrl = option.url(["postgres", "postgresql", "socket"], "postgres://user:password@localhost:5432/database");
const serverOptions: Record<string, OptionCheck> = {
  url: serverUrl,
  max: option.integer(1, 10_000),
  idleTimeoutMillis: option.ms(),
  acquireTimeout: option.ms(),
  connectionTimeoutMillis: option.ms(),
  statementTimeout: option.ms(),
  queryTimeout: option.ms(),
  keepAlive: option.boolean(),
  schema: option.identifier(),
  prepare: option.boolean(),
  preparedStatements: option.boolean(),
  replicas: (v) =>
    Array.isArray(v) && v.every((u) => serverUrl(u) === undefined)
      ? undefined
      : `must be a list of postgres:// URLs${Array.isArray(v) ? `: ${v.map(serverUrl).find((p) => p) ?? ""}` : ""}`,
  maxReplicaLag: option.ms(),
  replicaRetryAfter: option.ms(),
  maxPreparedStatements: option.integer(1, 100_000),
};
const spec: Record<string, OptionCheck> = {
  ...serverOptions,
  pglite: (v) =>
    typeof v === "boolean" || (typeof v === "string" && v.length > 0)
      ? undefined
      : `must be true (in memory) or a directory, got ${JSON.stringify(v)}`,
};

/** Checks the options; refuses server options next to `pglite`, where they would be silently ignored. */
function checkPostgresOptions(options: PostgresOptions): void {
  checkOptions("postgres", options, spec);
  if (!options.pglite) return;
  const ignored = Object.keys(options).filter(
    (k) => k !== "pglite" && (options as Record<string, unknown>)[k] !== undefined,
  );
  if (ignored.includes("url"))
    throw new ConfigurationError("postgres(): give either url (a server) or pglite (embedded), not both");
  if (ignored.length > 0) {
    throw new ConfigurationError(
      `postgres({ ${ignored.join(", ")} }) ${ignored.length > 1 ? "apply" : "applies"} to a server (url), not to embedded PGlite (one in-process session); leave ${ignored.length > 1 ? "them" : "it"} out with pglite`,
    );
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
  const driver = options.pglite ? new PgliteDriver(openPglite(options.pglite)) : serverDriver(options);
  return {
    dialect: options.pglite ? "pglite" : "postgres",
    capabilities,
    compiler: new PostgresCompiler(),
    ddl: new PostgresDdl(),
    driver,
    introspector: new PostgresIntrospector(),
    plans: postgresPlanReader,
  };
}

/** The server's pool, behind a {@link ReplicatedDriver} when there are replicas. */
function serverDriver(options: PostgresOptions): Driver {
  const { replicas, maxReplicaLag, replicaRetryAfter, ...pool } = options;
  const primary = new PgDriver(pool);
  if (!replicas?.length) return primary;
  return new ReplicatedDriver(
    primary,
    replicas.map((url) => {
      const driver = new PgDriver({ ...pool, url });
      return { name: redact(url), driver, lag: () => postgresReplicaLag(driver) };
    }),
    { maxLag: maxReplicaLag, retryAfter: replicaRetryAfter },
  );
}

/** A URL without its password, for messages. */
function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

async function openPglite(where: true | string) {
  let mod: typeof import("@electric-sql/pglite");
  try {
    mod = await import("@electric-sql/pglite");
  } catch (e) {
    throw new ConfigurationError(
      "postgres({ pglite }) needs the @electric-sql/pglite package: npm install @electric-sql/pglite",
      { cause: e },
    );
  }
  try {
    return await mod.PGlite.create(where === true ? undefined : where);
  } catch (e) {
    // PGlite's file system errors are plain objects ({ name: "ErrnoError", errno }), not Errors
    const err = e as { message?: unknown; name?: unknown; errno?: unknown } | undefined;
    const why =
      typeof err?.message === "string"
        ? err.message
        : `${String(err?.name ?? "error")}${err?.errno !== undefined ? ` (errno ${String(err.errno)})` : ""}`;
    throw new ConfigurationError(
      `postgres({ pglite }): PGlite could not open ${where === true ? "an in-memory database" : JSON.stringify(where)}: ${why}; give a directory it can create or write`,
      { cause: e },
    );
  }
}
