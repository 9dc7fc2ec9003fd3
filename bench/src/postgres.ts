/**
 * DotORM on @dotorm/postgres against raw `pg` on the same server. Run with `pnpm bench` from the
 * repository root (builds core and postgres first). Settings: DOTORM_PG_URL and those of
 * compare.ts. See bench/README.md for the method and the figures.
 */
import { compare } from "./compare.js";
import { pgUrl, setUpPostgres } from "./pg-setup.js";
import { ormSide } from "./pg-orm-side.js";
import { rawSide } from "./pg-raw-side.js";

compare({
  script: import.meta.url,
  rawName: "raw pg",
  url: pgUrl,
  createManyTarget: 1.2,
  setUp: setUpPostgres,
  ormSide,
  rawSide,
  serverComm: "postgres",
}).catch((e) => {
  console.error(e);
  process.exit(1);
});
