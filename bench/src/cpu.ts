/**
 * Client CPU per call, in one process: `pnpm --filter @dotorm/bench cpu <side> [workload ...]` where side is
 * `pg-orm`, `pg-raw`, `my-orm`, `my-raw` (the sides of the PostgreSQL and MySQL benches) or `rest`
 * (`crud(db)` answering `app.request()` in process, no socket). Each workload runs untimed first
 * (warm-up), then `BENCH_CPU_CALLS` calls (default 10000; createMany 15) with `BENCH_CPU_INFLIGHT`
 * (4) in flight; the figure is the process's user + system CPU time (`process.cpuUsage`) divided by
 * the calls, which moves much less than throughput on a shared machine. Run `--setup` first
 * (recreates the bench schemas: `setup-pg`, `setup-my`). Add `node --cpu-prof` through
 * `NODE_OPTIONS` to profile. See bench/README.md ("Client CPU per call").
 */
import { connect } from "@dotorm/core";
import { postgres } from "@dotorm/postgres";
import { crud } from "@dotorm/rest";
import { models, seed } from "./models.js";
import { setUpMysql } from "./mysql-setup.js";
import { benchUrlFor, randomIds, setUpPostgres } from "./pg-setup.js";
import { getPath, listPath } from "./rest-workloads.js";
import type { Side } from "./side-process.js";
import { run, sideOf } from "./side-of.js";

const calls = Number(process.env.BENCH_CPU_CALLS ?? 10000);
const inFlight = Number(process.env.BENCH_CPU_INFLIGHT ?? 4);
const restSchema = "dotorm_bench_rest";

async function restSide(): Promise<Side> {
  const db = await connect(postgres({ url: benchUrlFor(restSchema), max: 10 }), { models });
  const app = crud(db, { nPlusOne: false });
  const rand = randomIds(7);
  const ok = async (path: string) => {
    const r = await app.request(path);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.text();
  };
  return {
    workloads: {
      list: { op: () => ok(listPath(rand(seed.chats - 20))) },
      get: { op: () => ok(getPath(rand(seed.chats))) },
    },
    close: () => db.close(),
  };
}

async function main() {
  const [name = "pg-orm", ...only] = process.argv.slice(2);
  if (name === "--setup") {
    await setUpPostgres();
    await setUpPostgres(restSchema);
    await setUpMysql();
    return;
  }
  const side = name === "rest" ? await restSide() : await sideOf(name);
  try {
    const names = only.length > 0 ? only : Object.keys(side.workloads).filter((w) => w !== "delete" && w !== "getSeq");
    for (const w of names) {
      const work = side.workloads[w];
      if (!work) throw new Error(`no workload ${w}`);
      const big = w === "createMany";
      const n = big ? 15 : calls;
      const width = big ? 1 : inFlight;
      await work.prepare?.();
      await run(work.op, big ? 3 : Math.ceil(n / 3), width);
      await work.prepare?.();
      const before = process.cpuUsage();
      const t0 = performance.now();
      await run(work.op, n, width);
      const cpu = process.cpuUsage(before);
      const ms = performance.now() - t0;
      console.log(
        `${name} ${w}: ${((cpu.user + cpu.system) / n).toFixed(1)} µs CPU/call (user ${(cpu.user / n).toFixed(1)}), ${((n * 1000) / ms).toFixed(0)} calls/s`,
      );
    }
  } finally {
    await side.close();
  }
}

await main();
