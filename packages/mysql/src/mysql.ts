import type { Adapter } from "@dotorm/core";
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

/**
 * The MySQL / MariaDB adapter, on a `mysql2/promise` pool. `flavor` picks the SQL for the server:
 * `"mariadb"` (default, 10.6+) or `"mysql"` (8.0.14+), which differ in how nested reads aggregate.
 *
 * @example
 * const db = await connect(mysql({ url: "mysql://root@127.0.0.1:3306/app" }), { models });
 * const my8 = await connect(mysql({ url: process.env.MYSQL_URL, flavor: "mysql", max: 20 }), { models });
 */
export function mysql(options: MysqlOptions = {}): Adapter {
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
