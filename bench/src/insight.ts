/**
 * Query insight figures on the PostgreSQL server: the cost of statement metrics on the `get`
 * workload (metrics off vs on), and the query cache (a cached `get` and a cached page of 20 vs
 * uncached). Run with `pnpm --filter @dotorm/bench insight` after building core and postgres.
 * Settings: DOTORM_PG_URL, BENCH_ROUNDS (5), BENCH_MS (600), BENCH_CONCURRENCY (4). See README.md.
 */
import { type Database, StatementStats, connect, f, model } from "@dotorm/core";
import { postgres } from "@dotorm/postgres";
import pg from "pg";
import { markdownTable, median, opsPerSecond } from "./harness.js";
import { pgUrl, randomIds } from "./pg-setup.js";

const schema = "dotorm_bench_insight";
const url = `${pgUrl}${pgUrl.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const timing = {
  warmupMs: 0,
  durationMs: Number(process.env.BENCH_MS ?? 600),
  minOps: 10,
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 4),
};
const chats = 2000;
const ttl = 10 * 60_000;

/** One set of model classes per connection (a model runs on the database it was last connected to). */
function chatModels(cache?: { ttl: number }) {
  const User = model("users", { name: f.char({ maxLength: 255, required: true }) });
  const Chat = model(
    "chats",
    {
      name: f.char({ maxLength: 255, required: true }),
      is_archived: f.boolean({ default: false }),
      creator_id: f.many2one(() => User, { required: true }),
    },
    cache ? { cache } : {},
  );
  return { User, Chat };
}

async function setUp(): Promise<void> {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    const { User, Chat } = chatModels();
    const db = await connect(postgres({ url, max: 1 }), { models: [User, Chat] });
    await db.sync();
    await db.close();
    await admin.query(`SET search_path = ${schema}`);
    await admin.query(`INSERT INTO users (name) SELECT 'user ' || i FROM generate_series(1, 500) i`);
    await admin.query(
      `INSERT INTO chats (name, is_archived, creator_id) SELECT 'chat ' || i, i % 5 = 0, 1 + i % 500 FROM generate_series(1, $1::int) i`,
      [chats],
    );
    await admin.query("VACUUM ANALYZE users, chats");
  } finally {
    await admin.end();
  }
}

async function side(options: { metrics: boolean; cache?: { ttl: number } }) {
  const { User, Chat } = chatModels(options.cache);
  const db: Database = await connect(postgres({ url, max: 4 }), { models: [User, Chat], metrics: options.metrics });
  return { db, Chat };
}

await setUp();
const off = await side({ metrics: false });
const on = await side({ metrics: true });
const cached = await side({ metrics: true, cache: { ttl } });

type Side = Awaited<ReturnType<typeof side>>;
const get = (s: Side) => {
  const next = randomIds(7);
  return () => s.Chat.get(next(chats), { fields: ["name", "is_archived"] });
};
const page = (s: Side) => {
  const next = randomIds(11);
  return () =>
    s.Chat.search({
      filter: [
        ["is_archived", "=", false],
        ["id", ">", next(chats - 40)],
      ],
      fields: ["name", "is_archived"],
      order: "id",
      limit: 20,
    });
};

const workloads = [
  { name: "get by id: metrics off", op: get(off) },
  { name: "get by id: metrics on (default)", op: get(on) },
  { name: "get by id: cached (model option cache)", op: get(cached) },
  { name: "page of 20: uncached", op: page(on) },
  { name: "page of 20: cached", op: page(cached) },
];
// fill the caches and warm the JIT and the pools once, untimed
for (const w of workloads) await opsPerSecond(w.op, { ...timing, durationMs: 1500 });
const results = new Map<string, number[]>(workloads.map((w) => [w.name, []]));
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? workloads : [...workloads].reverse();
  for (const w of order) results.get(w.name)!.push(await opsPerSecond(w.op, timing));
}
const m = (name: string) => median(results.get(name)!);
const rows = workloads.map((w) => [w.name, m(w.name)] as [string, number]);
console.log(
  `\n${rounds} rounds of ${timing.durationMs} ms, ${timing.concurrency} calls in flight, median ops/s (${new Date().toISOString()}, load ${(await import("node:os")).loadavg()[0]!.toFixed(1)})\n`,
);
console.log(markdownTable(["workload", "ops/s"], rows));
const overhead = (1 - m("get by id: metrics on (default)") / m("get by id: metrics off")) * 100;
console.log(
  `\nmetrics overhead on get: ${overhead.toFixed(1)}% (per round: ${results
    .get("get by id: metrics on (default)")!
    .map((v, i) => `${((1 - v / results.get("get by id: metrics off")![i]!) * 100).toFixed(1)}%`)
    .join(", ")})`,
);
console.log(
  `cached get: ${(m("get by id: cached (model option cache)") / m("get by id: metrics on (default)")).toFixed(2)}x uncached; cached page of 20: ${(m("page of 20: cached") / m("page of 20: uncached")).toFixed(2)}x uncached`,
);
const [top] = on.db.stats();
console.log(
  `\ndb.stats() of the metrics-on side, costliest shape: ${top?.calls} calls, mean ${top?.meanMs} ms, p95 ${top?.p95Ms} ms, p99 ${top?.p99Ms} ms`,
);
// the metrics' own CPU cost per statement, which load on the machine does not blur: record() on a
// realistic event, against the CPU time of one uncached get (metrics off) in this process
const probe = new StatementStats();
const event = {
  sql: top?.sql ?? "select 1",
  params: [1],
  durationMs: 0.4,
  rowCount: 1,
  model: "chats",
  operation: "get",
};
const n = 500_000;
let t = performance.now();
for (let i = 0; i < n; i++) probe.record({ ...event, durationMs: (i % 97) / 100 });
const recordUs = ((performance.now() - t) * 1000) / n;
const getOp = get(off);
const cpu = process.cpuUsage();
t = performance.now();
for (let i = 0; i < 2000; i++) await getOp();
const used = process.cpuUsage(cpu);
const getCpuUs = (used.user + used.system) / 2000;
console.log(
  `metrics CPU per statement: ${recordUs.toFixed(3)} µs (record) vs ${getCpuUs.toFixed(1)} µs CPU of one get in this process (${((recordUs / getCpuUs) * 100).toFixed(2)}%)`,
);
for (const s of [off, on, cached]) await s.db.close();
