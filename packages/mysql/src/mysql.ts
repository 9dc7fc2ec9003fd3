import { type Adapter, ConfigurationError, type OptionCheck, checkOptions, option } from "@dotorm/core";
import { MysqlCompiler, type MysqlCompilerOptions } from "./mysql-compiler.js";
import { MysqlDdl } from "./mysql-ddl.js";
import { MysqlIntrospector } from "./mysql-introspector.js";
import { Mysql2Driver, type Mysql2PoolOptions } from "./mysql2-driver.js";

/** Options of {@link mysql}: the pool, the server flavor, the table collation. */
export interface MysqlOptions extends Mysql2PoolOptions, MysqlCompilerOptions {
  /**
   * Collation of the tables `sync` creates (utf8mb4). The default `utf8mb4_bin` compares like
   * PostgreSQL: `=` and unique keys are case-sensitive. `ilike` ignores case whatever this is.
   */
  collation?: string;
}

/** What each option of {@link mysql} accepts (checked at construction, in one place). */
const spec: Record<string, OptionCheck> = {
  url: option.url(["mysql", "mariadb"], "mysql://user:password@localhost:3306/database"),
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
    throw new ConfigurationError(`mysql({ maxIdle }): ${options.maxIdle} idle connections is more than max (${options.max ?? 10}); lower maxIdle or raise max`);
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
  const compiler = new MysqlCompiler(options);
  // MariaDB bounds every statement (seconds); MySQL 8 only SELECTs (milliseconds)
  const driver = new Mysql2Driver(options, {
    statementTimeoutSetting: compiler.flavor === "mysql" ? (ms) => `max_execution_time = ${ms}` : (ms) => `max_statement_time = ${ms / 1000}`,
  });
  compiler.insertIdExact = () => driver.autoIncrement?.consecutive === true;
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
  };
}
