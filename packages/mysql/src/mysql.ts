import {
  type Adapter,
  ConfigurationError,
  type Driver,
  type OptionCheck,
  ReplicatedDriver,
  checkOptions,
  option,
} from "@dotorm/core";
import { MysqlCompiler, type MysqlCompilerOptions } from "./mysql-compiler.js";
import { MysqlDdl } from "./mysql-ddl.js";
import { MysqlIntrospector } from "./mysql-introspector.js";
import { Mysql2Driver, type Mysql2PoolOptions } from "./mysql2-driver.js";
import { mysqlReplicaLag } from "./replica-lag.js";
import { mysqlPlanReader } from "./mysql-plan-reader.js";

/** Options of {@link mysql}: the pool, the server flavor, the table collation. */
export interface MysqlOptions extends Mysql2PoolOptions, MysqlCompilerOptions {
  /**
   * Collation of the tables `sync` creates (utf8mb4). The default `utf8mb4_bin` compares like
   * PostgreSQL: `=` and unique keys are case-sensitive. `ilike` ignores case whatever this is.
   */
  collation?: string;
  /**
   * Read replicas of `url` (`mysql://` URLs): reads outside transactions go to them in turn,
   * everything else to the primary. Each gets a pool with the same options. See `db.primary()` and
   * the `{ replica: false }` read option for read-your-writes.
   */
  replicas?: readonly string[];
  /** Skip a replica more than this many ms behind (`Seconds_Behind_Source`, whole seconds, read at most once a second). */
  maxReplicaLag?: number;
  /** How long a replica that could not be reached is left out, in ms (default 30,000); its calls go to the primary. */
  replicaRetryAfter?: number;
}

/** What each option of {@link mysql} accepts (checked at construction, in one place). */
const serverUrl = option.url(["mysql", "mariadb"], "mysql://user:password@localhost:3306/database");
const spec: Record<string, OptionCheck> = {
  url: serverUrl,
  replicas: (v) =>
    Array.isArray(v) && v.every((u) => serverUrl(u) === undefined)
      ? undefined
      : `must be a list of mysql:// URLs${Array.isArray(v) ? `: ${v.map(serverUrl).find((p) => p) ?? ""}` : ""}`,
  maxReplicaLag: option.ms(),
  replicaRetryAfter: option.ms(),
  host: option.nonEmptyString(),
  port: option.integer(1, 65_535),
  user: option.string(),
  password: option.string(),
  database: option.nonEmptyString(),
  max: option.integer(1, 10_000),
  maxIdle: option.integer(0, 10_000),
  idleTimeoutMillis: option.ms(),
  connectTimeoutMillis: option.integer(1, 2 ** 31 - 1),
  acquireTimeout: option.ms(),
  statementTimeout: option.ms(),
  queryTimeout: option.ms(),
  keepAlive: option.boolean(),
  prepare: option.boolean(),
  flavor: option.oneOf(["mariadb", "mysql"]),
  returning: option.boolean(),
  joins: option.boolean(),
  nesting: option.oneOf(["union", "json"]),
  collation: option.identifier(),
};

function checkMysqlOptions(options: MysqlOptions): void {
  checkOptions("mysql", options, spec);
  if (options.maxIdle !== undefined && options.maxIdle > (options.max ?? 10)) {
    throw new ConfigurationError(
      `mysql({ maxIdle }): ${options.maxIdle} idle connections is more than max (${options.max ?? 10}); lower maxIdle or raise max`,
    );
  }
}

/**
 * The MySQL / MariaDB adapter, on a `mysql2/promise` pool. `flavor` picks the SQL for the server:
 * `"mariadb"` (default, 10.6+) or `"mysql"` (8.0.14+), which differ in how nested reads aggregate.
 *
 * @example
 * const db = await connect(mysql({ url: "mysql://root@127.0.0.1:3306/app" }), { models });
 * const my8 = await connect(mysql({ url: process.env.MYSQL_URL, flavor: "mysql", max: 20 }), { models });
 * mysql({ url: "mysql://root@localhost:3306/app", maxx: 5 }); // ConfigurationError: mysql({ maxx }): unknown option; did you mean max? ...
 */
export function mysql(options: MysqlOptions = {}): Adapter {
  checkMysqlOptions(options);
  // the compiler leaves RETURNING out once the driver knows the server numbers a statement's rows consecutively
  let primary: Mysql2Driver | undefined;
  const compiler = new MysqlCompiler(options, () => primary?.autoIncrement?.consecutive === true);
  // MariaDB bounds every statement (seconds); MySQL 8 only SELECTs (milliseconds)
  const { replicas, maxReplicaLag, replicaRetryAfter, ...pool } = options;
  const settings = {
    statementTimeoutSetting:
      compiler.flavor === "mysql"
        ? (ms: number) => `max_execution_time = ${ms}`
        : (ms: number) => `max_statement_time = ${ms / 1000}`,
  };
  primary = new Mysql2Driver(pool, settings);
  let driver: Driver = primary;
  if (replicas?.length) {
    const redact = (url: string) => Object.assign(new URL(url), url.includes("@") ? { password: "" } : {}).toString();
    driver = new ReplicatedDriver(
      primary,
      replicas.map((url) => {
        // a replica's url replaces the primary's address; host/port/user given apart would win over it
        const replica = new Mysql2Driver({ ...pool, url, host: undefined, port: undefined }, settings);
        return { name: redact(url), driver: replica, lag: () => mysqlReplicaLag(replica) };
      }),
      { maxLag: maxReplicaLag, retryAfter: replicaRetryAfter },
    );
  }
  return {
    dialect: compiler.flavor,
    capabilities: {
      returning: compiler.returnsIds,
      transactions: true,
      savepoints: true,
      // MySQL commits implicitly around every DDL statement.
      transactionalDdl: false,
      foreignKeys: true,
      clientIds: false,
      rowLocks: true,
      // DATE and DATETIME's documented range; outside it the server may or may not keep a value,
      // and years below 100 would be read back in the 1900s.
      yearRange: [1000, 9999],
    },
    compiler,
    ddl: new MysqlDdl(options.collation),
    driver,
    introspector: new MysqlIntrospector(),
    plans: mysqlPlanReader(compiler.flavor),
  };
}
