import type { ClickHouseSettings } from "@clickhouse/client";
import { type Adapter, ConfigurationError, type OptionCheck, checkOptions, limitOption, option } from "@dotorm/core";
import { ClickHouseCompiler } from "./clickhouse-compiler.js";
import { ClickHouseDdl } from "./clickhouse-ddl.js";
import { ClickHouseDriver } from "./clickhouse-driver.js";
import { ClickHouseIntrospector } from "./clickhouse-introspector.js";
import { DdlBatches } from "./ddl-batches.js";
import { IdGenerator } from "./id-generator.js";
import { ClickHouseClaimStore, IdLease } from "./id-lease.js";
import { LogRelay, clickhouseLogLevels } from "./log-relay.js";
import { YEAR_RANGE } from "./year-range.js";
import { openClient } from "./open-client.js";
import { clickhousePlanReader } from "./clickhouse-plan-reader.js";

/** Options of {@link clickhouse}: a server (`url`) or chDB in-process (`embedded`). */
export interface ClickHouseOptions {
  /** HTTP(S) address of a server, e.g. `http://localhost:8123`. */
  url?: string;
  username?: string;
  password?: string;
  /** Database to use; created when missing (default `default`). */
  database?: string;
  /** `true` for an in-memory chDB engine, or a directory to keep its data in (needs the `chdb` package). */
  embedded?: true | string;
  /**
   * Generates ids locally with this node number (0-1023) instead of leasing ranges from the database.
   * Unique only if every concurrent writer has its own; use it where the lease cannot work (no
   * CREATE TABLE/INSERT right for the claims table, or replicas without read-after-write). Default:
   * leased, unique with no configuration. Do not mix both modes on one database.
   */
  nodeId?: number;
  /** Rows per INSERT request in createMany (default 100,000): bounds the memory of one batch. */
  batchSize?: number;
  /** Most HTTP connections kept open. */
  max?: number;
  /** Former name of `queryTimeout`, still honoured. */
  requestTimeout?: number;
  /**
   * ClickHouse stops a statement running longer than this (`max_execution_time`, whole seconds,
   * rounded up; default 30 s): the call fails with a `QueryError` naming `statementTimeout`.
   */
  statementTimeout?: number;
  /**
   * Client-side deadline of every HTTP request (default `statementTimeout` + 5 s, or 35 s): past it
   * the request is aborted and the call fails with a `ConnectionError` naming `queryTimeout`.
   * `db.withTimeout` shortens it per call.
   */
  queryTimeout?: number;
  /**
   * A cluster of the server's `remote_servers`: the database and every table are created, altered
   * and dropped `ON CLUSTER` it (by `sync()` and migrations), so one run changes every node.
   * MergeTree engines become their Replicated form (`{shard}`/`{replica}` macros); a model with
   * `clickhouse.distributed` gets a local table per shard and a `Distributed` table in front;
   * ids are leased from a table replicated to every node. Server only (chDB has no clusters).
   */
  cluster?: string;
  /** Extra ClickHouse settings sent with every statement. */
  settings?: ClickHouseSettings;
  /**
   * How much of `@clickhouse/client`'s own log reaches `db.on("log")` (default `"warn"`: warnings
   * and failed requests). It never goes to the console.
   */
  logLevel?: keyof typeof clickhouseLogLevels;
  /**
   * How long `connect` waits for the server to answer its check (default 10 s for a server, 60 s
   * for the embedded engine, whose first start in a process loads and starts it there; `verify: false`
   * skips the check).
   */
  connectTimeout?: number;
}

/** What each option of {@link clickhouse} accepts (checked at construction, in one place). */
const spec: Record<string, OptionCheck> = {
  url: option.url(["http", "https"], "http://localhost:8123"),
  username: option.string(),
  password: option.string(),
  database: option.identifier(),
  embedded: (v) =>
    v === true || (typeof v === "string" && v.length > 0)
      ? undefined
      : `must be true (in memory) or a directory, got ${JSON.stringify(v)}`,
  nodeId: option.integer(0, 1023),
  batchSize: option.integer(1, 100_000_000),
  max: option.integer(1, 10_000),
  requestTimeout: option.ms(),
  statementTimeout: option.ms(),
  queryTimeout: option.ms(),
  settings: option.record(),
  cluster: (v) =>
    typeof v === "string" && /^[A-Za-z0-9_.-]{1,200}$/.test(v)
      ? undefined
      : `must be a cluster name of the server's remote_servers (letters, digits, _ . -), got ${JSON.stringify(v)}`,
  logLevel: option.oneOf(Object.keys(clickhouseLogLevels)),
  connectTimeout: option.integer(1, 2 ** 31 - 1),
};

/** Options that only mean something to an HTTP server. */
const serverOnly = ["url", "username", "password", "max"] as const;

const capabilities = {
  returning: false,
  transactions: false,
  savepoints: false,
  transactionalDdl: false,
  foreignKeys: false,
  clientIds: true,
  uniqueConstraints: false,
  relationColumns: false,
  yearRange: YEAR_RANGE,
} as const;

/**
 * The ClickHouse adapter, over HTTP to a server or in-process through chDB; one renderer and one
 * driver serve both. Ids are generated here (time-ordered, safe integers), there are no
 * transactions nor foreign keys; see the package README for every difference.
 *
 * @example
 * const analytics = await connect(clickhouse({ url: "http://localhost:8123", database: "crm" }), { models: [Event] });
 * const local = await connect(clickhouse({ embedded: "./data/ch", database: "crm" }), { models: [Event] });
 */
export function clickhouse(options: ClickHouseOptions = {}): Adapter {
  checkOptions("clickhouse", options, spec);
  if (options.embedded && options.url)
    throw new ConfigurationError("clickhouse(): give either url (a server) or embedded (chDB), not both");
  const ignored = options.embedded ? serverOnly.filter((k) => options[k] !== undefined) : [];
  if (ignored.length > 0)
    throw new ConfigurationError(
      `clickhouse({ ${ignored.join(", ")} }) applies to a server (url), not to embedded chDB; leave it out with embedded`,
    );
  const database = options.database ?? "default";
  if (options.cluster !== undefined && options.embedded)
    throw new ConfigurationError("clickhouse({ cluster }) needs a server (url): chDB has no clusters");
  const statementTimeout = limitOption("statementTimeout", options.statementTimeout, 30_000);
  const queryTimeout = limitOption(
    "queryTimeout",
    options.queryTimeout ?? options.requestTimeout,
    statementTimeout > 0 ? statementTimeout + 5_000 : 35_000,
  );
  // On a cluster an insert returns once its shard holds the rows (through a Distributed table) on a
  // majority of the shard's replicas (both of two), so the next read sees them whichever replica answers.
  const clusterSettings =
    options.cluster === undefined ? {} : { distributed_foreground_insert: 1, insert_quorum: "auto" as const };
  const settings = {
    ...clusterSettings,
    ...(statementTimeout > 0 ? { max_execution_time: Math.ceil(statementTimeout / 1000) } : {}),
    ...options.settings,
  };
  const relay = new LogRelay();
  const log = { LoggerClass: relay.loggerClass(), level: clickhouseLogLevels[options.logLevel ?? "warn"] };
  const client = openClient({
    ...options,
    database,
    settings,
    requestTimeout: queryTimeout > 0 ? queryTimeout : 2 ** 31 - 1,
    connectTimeout: options.connectTimeout,
    log,
  });
  // Marks the promise as observed: a failure surfaces on the first statement, not as an unhandled rejection.
  client.catch(() => undefined);
  // Explicit node: local generator. Default: ranges leased from the database (see id-lease.ts).
  const local = options.nodeId === undefined ? undefined : new IdGenerator(options.nodeId);
  const lease = local ? undefined : new IdLease(new ClickHouseClaimStore(client, options.cluster));
  const batches = new DdlBatches();
  return {
    dialect: options.embedded ? "chdb" : "clickhouse",
    capabilities,
    compiler: new ClickHouseCompiler(options.batchSize, options.cluster),
    ddl: new ClickHouseDdl(options.cluster, { database, batches }),
    driver: new ClickHouseDriver(client, {
      streams: !options.embedded,
      statementTimeout,
      queryTimeout,
      connectTimeout: options.connectTimeout ?? (options.embedded ? 60_000 : 10_000),
      relay,
      batches,
    }),
    introspector: new ClickHouseIntrospector(options.cluster !== undefined),
    plans: clickhousePlanReader,
    nextIds: (count) => (local ? local.next(count) : (lease as IdLease).nextIds(count)),
  };
}
