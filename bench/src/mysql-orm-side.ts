import { mysql } from "@dotorm/mysql";
import { sinkChatId } from "./models.js";
import { benchUrl, makeVictims } from "./mysql-setup.js";
import { type MakeVictims, ormSide as side } from "./orm-side.js";
import { victims } from "./pg-setup.js";
import type { Side } from "./side-process.js";

/** The delete workload's rows on MySQL with `body` (see {@link makeVictims}), the previous ones removed. */
export function mysqlVictims(body = "doomed"): MakeVictims {
  return (db, previous) => {
    const run = (sql: string, values: unknown[]) => db.exec({ sql, params: values });
    const select = async (sql: string, values: unknown[]) => (await run(sql, values)).rows as { id: number }[];
    return makeVictims(run, select, sinkChatId, victims, previous, body);
  };
}

/** DotORM's side of the MySQL bench. */
export function ormSide(poolSize: number): Promise<Side> {
  return side(mysql({ url: benchUrl, max: poolSize }), mysqlVictims());
}
