/**
 * REST: `crud(db)` from @dotorm/rest against a hand-written Hono + `pg` server answering the same
 * JSON, both on the PostgreSQL server, loaded by autocannon side by side in one run. Run with
 * `pnpm --filter @dotorm/bench rest` (after building core, postgres and rest). Settings:
 * DOTORM_PG_URL, BENCH_CONNECTIONS (50), BENCH_SECONDS (10), BENCH_ROUNDS (2), BENCH_POOL (10),
 * BENCH_WARMUP_SECONDS (5, untimed, per side and workload before the first round).
 * See bench/README.md for the method and the figures.
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import autocannon from "autocannon";
import { randomIds, setUpPostgres } from "./pg-setup.js";
import type { ServerMessage } from "./rest-server.js";
import { getPath, listPath, restWorkloads } from "./rest-workloads.js";

const schema = "dotorm_bench_rest";
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const poolSize = process.env.BENCH_POOL ?? "10";
const warmUpSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);

interface Server {
  name: string;
  child: ChildProcess;
  base: string;
}

async function start(name: string, script: string, extraEnv: Record<string, string> = {}): Promise<Server> {
  // every side runs as deployed: NODE_ENV=production (crud() then skips its N+1 scope per request)
  const env = { ...process.env, ...extraEnv, NODE_ENV: "production" };
  const child = fork(new URL(script, import.meta.url), [schema, poolSize], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env,
  });
  const [msg] = (await once(child, "message")) as [ServerMessage];
  if (!("port" in msg)) throw new Error(`${name} did not start`);
  return { name, child, base: `http://127.0.0.1:${msg.port}` };
}

async function stats(s: Server): Promise<{ userMicros: number; systemMicros: number; rssMb: number }> {
  s.child.send("cpu");
  const [msg] = (await once(s.child, "message")) as [ServerMessage];
  if (!("userMicros" in msg)) throw new Error(`${s.name} sent no CPU time`);
  return msg;
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  cpuPerRequestUs: number;
  userPerRequestUs: number;
}

async function load(
  s: Server,
  path: (next: (n: number) => number) => string,
  durationS: number,
  seed: number,
): Promise<Measured> {
  const next = randomIds(seed);
  const before = await stats(s);
  const r = await autocannon({
    url: s.base,
    connections,
    duration: durationS,
    requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: path(next) }) }],
  });
  const after = await stats(s);
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0)
    throw new Error(`${s.name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  const total = r.requests.total;
  return {
    rps: total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    cpuPerRequestUs: (after.userMicros + after.systemMicros - before.userMicros - before.systemMicros) / total,
    userPerRequestUs: (after.userMicros - before.userMicros) / total,
  };
}

/** Both servers must answer the same JSON to the same requests, or the comparison means nothing. */
async function sameAnswers(a: Server, b: Server): Promise<void> {
  const paths = [listPath(0), listPath(1990), listPath(137), getPath(1), getPath(2000), getPath(555)];
  for (const path of paths) {
    const [x, y] = await Promise.all(
      [a, b].map((s) => fetch(s.base + path).then(async (r) => `${r.status} ${await r.text()}`)),
    );
    if (x !== y)
      throw new Error(
        `the servers answer ${path} differently:\n${a.name}: ${x?.slice(0, 600)}\n${b.name}: ${y?.slice(0, 600)}`,
      );
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((p, q) => p - q);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

async function main() {
  await setUpPostgres(schema);
  const orm = await start("DotORM crud()", "rest-orm-server.ts");
  const hand = await start("hand-written Hono + pg", "rest-hand-server.ts");
  // the page's strongest hand-written form: rows and total in one statement (the get is the same code)
  const handOne = await start("hand-written, page in one statement", "rest-hand-server.ts", { HAND_PAGE: "one" });
  const all = [orm, hand, handOne];
  try {
    await sameAnswers(orm, hand);
    await sameAnswers(orm, handOne);
    console.log(
      `REST on PostgreSQL: ${connections} connections, ${seconds} s per run, ${rounds} round(s), pools of ${poolSize}; same JSON checked\n`,
    );
    const results = new Map<string, Record<string, Measured[]>>();
    let seed = 1;
    const sidesOf = (name: string) => (name.includes("page") ? all : [orm, hand]);
    for (const [name, path] of Object.entries(restWorkloads)) {
      for (const s of sidesOf(name)) await load(s, path, warmUpSeconds, 999); // warm-up (JIT, pools, prepared shapes)
      results.set(name, Object.fromEntries(sidesOf(name).map((s) => [s.name, []])));
    }
    for (let round = 0; round < rounds; round++) {
      for (const [name, path] of Object.entries(restWorkloads)) {
        const sides = sidesOf(name);
        const order = round % 2 === 0 ? sides : [...sides].reverse();
        seed++;
        for (const s of order) {
          const m = await load(s, path, seconds, seed);
          results.get(name)?.[s.name]?.push(m);
          console.log(
            `  round ${round + 1} ${name} ${s.name}: ${m.rps.toFixed(0)} req/s, p99 ${m.p99} ms, ${m.cpuPerRequestUs.toFixed(0)} µs CPU/request (user ${m.userPerRequestUs.toFixed(0)})`,
          );
        }
      }
    }
    console.log(
      `\n| workload (median of ${rounds}) | crud() req/s | hand req/s | ratio | crud() p99 ms | hand p99 ms | crud() CPU µs/req | hand CPU µs/req | target |`,
    );
    console.log("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (const [name, bySide] of results) {
      const o = bySide[orm.name] ?? [];
      const med = (xs: Measured[], k: keyof Measured) => median(xs.map((x) => x[k]));
      for (const h of [hand, handOne]) {
        const hs = bySide[h.name];
        if (!hs) continue;
        const ratio = med(o, "rps") / med(hs, "rps");
        const label = h === hand ? name : `${name}, vs the page in one statement`;
        console.log(
          `| ${label} | ${med(o, "rps").toFixed(0)} | ${med(hs, "rps").toFixed(0)} | ${ratio.toFixed(2)}× | ${med(o, "p99")} | ${med(hs, "p99")} | ${med(o, "cpuPerRequestUs").toFixed(0)} | ${med(hs, "cpuPerRequestUs").toFixed(0)} | ≥ 0.90× ${ratio >= 0.9 ? "met" : "NOT met"} |`,
        );
      }
    }
    const rss = await Promise.all(all.map((s) => stats(s)));
    console.log(`\npeak RSS: ${all.map((s, i) => `${s.name} ${rss[i]?.rssMb.toFixed(1)} MB`).join(", ")}`);
  } finally {
    for (const s of all) s.child.send("close");
    await Promise.all(all.map((s) => once(s.child, "exit")));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
