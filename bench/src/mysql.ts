/**
 * DotORM on @dotorm/mysql against raw `mysql2` on the same server. Run with `pnpm --filter @dotorm/bench mysql`
 * (after building core and mysql). Settings: DOTORM_MYSQL_URL, BENCH_ROUNDS (5),
 * BENCH_MS (timed window per workload and round, 600), BENCH_CONCURRENCY (calls in flight, 4),
 * BENCH_POOL (pool size of both sides, 4). See bench/README.md for the method and the figures.
 */
import { fileURLToPath } from "node:url";
import { markdownTable, median } from "./harness.js";
import { mysqlUrl, setUpMysql } from "./mysql-setup.js";
import { ormSide } from "./mysql-orm-side.js";
import { rawSide } from "./mysql-raw-side.js";
import { SideProcess, serveSide } from "./side-process.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const rounds = env("BENCH_ROUNDS", 5);
const windowMs = env("BENCH_MS", 600);
const concurrency = env("BENCH_CONCURRENCY", 4);
const poolSize = env("BENCH_POOL", 4);

/** Workloads in run order, with what they do and the target ratio from the foundation issues. */
const workloads = [
  ["get", "get by id (3 columns)", 1.0],
  ["page20", "filtered page of 20", 1.0],
  ["insert", "single insert", 0.95],
  ["createMany", "createMany 10,000 rows", 1.0],
  ["update", "update by id", 0.95],
  ["delete", "delete by id", 0.95],
  ["chat50", "chat + creator + 50 messages with authors", 1.2],
  ["page100", "page of 100 chats with creators", 1.0],
] as const;

async function main(): Promise<void> {
  const side = process.argv[2];
  if (side === "orm") return serveSide(() => ormSide(poolSize));
  if (side === "raw") return serveSide(() => rawSide(poolSize));

  console.log(`DotORM vs raw mysql2 on ${mysqlUrl.replace(/\/\/[^@]*@/, "//")}: ${rounds} rounds, ${windowMs} ms windows, concurrency ${concurrency}, pool ${poolSize}`);
  await setUpMysql();
  const script = fileURLToPath(import.meta.url);
  const orm = new SideProcess("DotORM", script, ["orm"]);
  const raw = new SideProcess("raw mysql2", script, ["raw"]);
  const results = new Map<string, { orm: number[]; raw: number[] }>(workloads.map(([name]) => [name, { orm: [], raw: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const [i, [name]] of workloads.entries()) {
      const timing = { warmupMs: round === 0 ? 500 : 100, durationMs: windowMs, minOps: 3, concurrency: name === "createMany" ? 1 : concurrency };
      const r = results.get(name)!;
      // Alternate which side goes first, so neither always runs on a cooler (or hotter) machine.
      const first = (round + i) % 2 === 0;
      if (first) r.orm.push(await orm.run(name, timing));
      r.raw.push(await raw.run(name, timing));
      if (!first) r.orm.push(await orm.run(name, timing));
    }
    console.log(`round ${round + 1}/${rounds} done`);
  }
  const [ormRss, rawRss] = [await orm.finish(), await raw.finish()];

  const rows = workloads.map(([name, label, target]) => {
    const r = results.get(name)!;
    const [o, w] = [median(r.orm), median(r.raw)];
    return [label, o, w, `${(o / w).toFixed(2)}×`, `≥ ${target.toFixed(2)}×`, o / w >= target ? "yes" : "no"];
  });
  console.log(`\n${markdownTable(["workload (median ops/s)", "DotORM", "raw mysql2", "ratio", "target", "met"], rows)}`);
  const rssOk = ormRss - rawRss <= 15 ? "yes" : "no";
  console.log(`\npeak RSS: DotORM ${ormRss.toFixed(1)} MB, raw mysql2 ${rawRss.toFixed(1)} MB, difference ${(ormRss - rawRss).toFixed(1)} MB (target ≤ 15 MB: ${rssOk})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
