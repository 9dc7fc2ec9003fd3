/**
 * Client CPU per call of the MySQL driver alone, against raw mysql2 on the same SQL (issue 18):
 * `tsx src/mysql-driver-cpu.ts <driver|raw> <get|page100> [calls]`, 4 in flight, 3 rounds after a
 * warm-up. `driver` is `Mysql2Driver.execute` with DotORM's own SQL for the workload; `raw` is
 * `pool.execute` of mysql2/promise with the driver's connection options. `MYSQL_PKG=<path to a
 * @dotorm/mysql build>` measures another build (an A/B against main). Run `cpu --setup` first.
 */
import mysql2 from "mysql2/promise";
import { benchUrl } from "./mysql-setup.js";

const [mode = "driver", which = "page100", count = "6000"] = process.argv.slice(2);
const calls = Number(count);
const id = () => 1 + Math.floor(Math.random() * 1800);
const statements: Record<string, [string, () => unknown[]]> = {
  get: [
    "SELECT t0.`id`, t0.`name`, t0.`is_archived` FROM `chats` t0 WHERE t0.`id` = ? ORDER BY t0.`id` ASC",
    () => [id()],
  ],
  page100: [
    "SELECT t0.`id`, t0.`name`, t0.`is_archived`, t1.`id` AS `creator_id.id`, t1.`name` AS `creator_id.name` " +
      "FROM `chats` t0 LEFT JOIN `users` t1 ON t1.`id` = t0.`creator_id` WHERE t0.`id` > ? ORDER BY t0.`id` ASC LIMIT ?",
    () => [id(), 100],
  ],
};
const [sql, params] = statements[which] ?? statements.page100!;

async function side(): Promise<{ op: () => Promise<unknown>; close: () => Promise<void> }> {
  if (mode === "driver") {
    const { Mysql2Driver } = (await import(process.env.MYSQL_PKG ?? "@dotorm/mysql")) as typeof import("@dotorm/mysql");
    const driver = new Mysql2Driver({ url: benchUrl, max: 4 });
    return { op: () => driver.execute({ sql, params: params() }), close: () => driver.close() };
  }
  const pool = mysql2.createPool({
    uri: benchUrl,
    connectionLimit: 4,
    charset: "utf8mb4_bin",
    dateStrings: ["DATE"],
    supportBigNumbers: true,
    bigNumberStrings: true,
    jsonStrings: true,
    timezone: "Z",
    trace: false,
    flags: ["FOUND_ROWS"],
  });
  return { op: () => pool.execute(sql, params() as never), close: () => pool.end() };
}

const { op, close } = await side();
const run = async (n: number) => {
  let left = n;
  await Promise.all(
    [0, 1, 2, 3].map(async () => {
      while (left-- > 0) await op();
    }),
  );
};
await run(2000);
const rounds: string[] = [];
for (let r = 0; r < 3; r++) {
  const before = process.cpuUsage();
  await run(calls);
  const cpu = process.cpuUsage(before);
  rounds.push(((cpu.user + cpu.system) / calls).toFixed(1));
}
console.log(
  `${process.env.MYSQL_PKG ? "other build" : "this build"} ${mode} ${which}: ${rounds.join(" / ")} µs CPU/call`,
);
await close();
