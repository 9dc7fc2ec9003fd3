/**
 * DotORM on @dotorm/mysql against raw `mysql2` on the same server. Run with
 * `pnpm --filter @dotorm/bench mysql` (after building core and mysql). Settings: DOTORM_MYSQL_URL
 * and those of compare.ts. `BENCH_AA=1` puts raw `mysql2` on both sides (an A/A run: the spread the
 * harness shows between two identical sides, its noise floor). See bench/README.md for the method
 * and the figures.
 */
import { compare } from "./compare.js";
import { ormSide } from "./mysql-orm-side.js";
import { rawSide } from "./mysql-raw-side.js";
import { mysqlUrl, setUpMysql } from "./mysql-setup.js";

compare({
  script: import.meta.url,
  rawName: "raw mysql2",
  url: mysqlUrl,
  createManyTarget: 1.0,
  setUp: setUpMysql,
  ormSide: process.env.BENCH_AA ? rawSide : ormSide,
  rawSide,
  serverComm: "mariadbd",
}).catch((e) => {
  console.error(e);
  process.exit(1);
});
