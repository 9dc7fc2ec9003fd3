/**
 * Read routing overhead: the page of 20 through one primary versus primary + read replica, on a real
 * PostgreSQL streaming-replication pair started here (tooling/replicas/pg-replication.sh). Both nodes
 * share this machine's cores, so the figure shows what routing costs, not a speed-up. A third side
 * names the primary as its own replica: the same server answers, only the routing differs.
 *
 *   pnpm --filter @dotorm/bench replicas
 */
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Database, connect, f, model } from "@dotorm/core";
import { postgres } from "@dotorm/postgres";
import { markdownTable, median, opsPerSecond } from "./harness.js";

const script = resolve(dirname(fileURLToPath(import.meta.url)), "../../tooling/replicas/pg-replication.sh");
const dir = join(tmpdir(), `dotorm-bench-replicas-${process.pid}`);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const timing = { warmupMs: 300, durationMs: Number(process.env.BENCH_MS ?? 1000), minOps: 10, concurrency: 4 };

const fields = { name: f.char({ maxLength: 255, required: true }), is_archived: f.boolean({ default: false }) };
/** One model class per side: a class is bound to one database at a time. */
const sides = ["primary only", "primary + replica", "routing only (replica = primary)"].map((name) => ({
  name,
  Chat: model("chats", fields),
  db: undefined as Database | undefined,
  figures: [] as number[],
}));

const out =
  execFileSync("bash", [script, "start", dir, "25433", "25434"], { encoding: "utf8" }).trim().split("\n").pop() ?? "";
const { primary, replica } = Object.fromEntries(out.split(" ").map((kv) => kv.split("=", 2))) as {
  primary: string;
  replica: string;
};
try {
  const urls = [{ url: primary }, { url: primary, replicas: [replica] }, { url: primary, replicas: [primary] }];
  for (const [i, side] of sides.entries())
    side.db = await connect(postgres({ ...urls[i], max: 4 }), { models: [side.Chat] });
  const seedDb = sides[0]!;
  await seedDb.db!.sync();
  await seedDb.Chat.createMany(
    Array.from({ length: 2000 }, (_, i) => ({ name: `chat ${i}`, is_archived: i % 7 === 0 })),
  );
  // the standby has the rows once a read through the replica side sees them all
  while ((await sides[1]!.Chat.count().catch(() => 0)) < 2000) await new Promise((r) => setTimeout(r, 50));
  let k = 0;
  const page = (side: (typeof sides)[number]) => () => {
    k = (k + 37) % 1900;
    return side.Chat.search({
      filter: [
        ["is_archived", "=", false],
        ["id", ">", k],
      ],
      fields: ["id", "name", "is_archived"],
      order: "id",
      limit: 20,
    });
  };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...sides].reverse() : sides;
    for (const side of order) side.figures.push(await opsPerSecond(page(side), timing));
  }
  // Sequential calls, the sides interleaved in small batches (side A 50 calls, side B 50, side C 50,
  // then again in rotated order), so that the three batches of one turn see the same machine load to
  // within a few milliseconds: on a shared machine, whole-side rounds of a second differ by more than
  // the 3% being measured. Per batch and side: this process's CPU time (what routing adds to the
  // client) and the wall time (what it costs a sequential caller). Each turn gives one paired ratio
  // per side; their median, with the distribution-free 95% interval of a median (order statistics),
  // is robust to the turns a garbage collection or a checkpoint lands in.
  const batch = Number(process.env.BENCH_BATCH ?? 50);
  const batches = Number(process.env.BENCH_BATCHES ?? 600);
  const cpu = sides.map(() => [] as number[]);
  const wall = sides.map(() => [] as number[]);
  const ops = sides.map((side) => page(side));
  for (let b = 0; b < batches; b++) {
    for (let j = 0; j < sides.length; j++) {
      const i = (j + b) % sides.length;
      const op = ops[i]!;
      const t0 = performance.now();
      const before = process.cpuUsage();
      for (let n = 0; n < batch; n++) await op();
      const used = process.cpuUsage(before);
      wall[i]!.push(performance.now() - t0);
      cpu[i]!.push(used.user + used.system);
    }
  }
  /** Side `i`'s per-turn ratios to the primary-only side: median and its 95% interval. */
  const paired = (xs: number[][], i: number) => {
    const r = xs[i]!.map((x, k) => x / (xs[0]![k] as number)).sort((p, q) => p - q);
    const half = Math.ceil(0.98 * Math.sqrt(r.length));
    const mid = Math.floor(r.length / 2);
    const lo = r[Math.max(0, mid - half)] as number;
    const hi = r[Math.min(r.length - 1, mid + half)] as number;
    return `${median(r).toFixed(3)}× (${lo.toFixed(3)}–${hi.toFixed(3)})`;
  };
  const perCall = (xs: number[][], i: number) => xs[i]!.reduce((p, q) => p + q, 0) / (batch * batches);
  /** Median and spread of the per-round ratios of `xs` to the primary-only side's figures `base`. */
  const ratios = (xs: readonly number[], base: readonly number[]) => {
    const r = xs.map((x, i) => x / (base[i] as number)).sort((a, b) => a - b);
    return `${median(r).toFixed(3)}× (${(r[0] as number).toFixed(2)}–${(r[r.length - 1] as number).toFixed(2)})`;
  };
  const base = sides[0]!.figures;
  console.log(
    `\nPage of 20, ${timing.concurrency} in flight, pool 4: reads/s, median of ${rounds} interleaved rounds (ratio: median of the per-round ratios, with their range)\n`,
  );
  console.log(
    markdownTable(
      ["side", "reads/s", "vs primary only"],
      sides.map((s) => [s.name, median(s.figures), ratios(s.figures, base)]),
    ),
  );
  console.log(
    `\nPage of 20, sequential: ${batches} turns of ${batch} calls per side, the sides interleaved turn by turn; ratio to the primary only: median of the per-turn ratios with its 95% interval\n`,
  );
  console.log(
    markdownTable(
      ["side", "client CPU µs/call", "vs primary only", "wall µs/call", "vs primary only"],
      sides.map((s, i) => [s.name, perCall(cpu, i), paired(cpu, i), perCall(wall, i) * 1000, paired(wall, i)]),
    ),
  );
} finally {
  for (const side of sides) await side.db?.close();
  execFileSync("bash", [script, "stop", dir]);
}
