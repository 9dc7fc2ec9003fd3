import { AsyncLocalStorage } from "node:async_hooks";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Measured, markdownTable, median, permutations } from "./harness.js";
import { type Side, SideProcess, serveSide } from "./side-process.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** What one database's ORM-vs-driver comparison needs. */
export interface Comparison {
  /** The bench script's own URL (`import.meta.url`): it is re-run as the two side processes. */
  readonly script: string;
  /** e.g. "raw pg". */
  readonly rawName: string;
  /** Where it runs, printed in the heading (credentials stripped). */
  readonly url: string;
  /** createMany's target ratio (PostgreSQL compares against a plain multi-row INSERT: 1.2). */
  readonly createManyTarget: number;
  readonly setUp: () => Promise<void>;
  readonly ormSide: (poolSize: number) => Promise<Side>;
  readonly rawSide: (poolSize: number) => Promise<Side>;
  /**
   * The server's process name (`postgres`, `mariadbd`): on Linux, with the server on this machine,
   * each window also reads the server's CPU per call (server-cpu.ts). `BENCH_SERVER_CPU=0` turns it off.
   */
  readonly serverComm: string;
}

/**
 * Runs the foundation workloads on both sides, each in its own process (so peak RSS is separable),
 * interleaved round by round with alternating order, and prints medians, ratios and targets.
 * Settings: BENCH_ROUNDS (5), BENCH_MS (timed window per workload and round, 600),
 * BENCH_CONCURRENCY (calls in flight, 4), BENCH_POOL (pool size of both sides, 4), BENCH_JSON (a file
 * to write the medians to, for `bench:check`), BENCH_CONTROL=1 (a third process runs the raw side
 * again, taking its turn in every order: its ratio to the raw side is the harness's own noise, printed beside
 * DotORM's so a ratio can be read against what two identical sides read in the same run), BENCH_ONLY
 * (a comma list of workload names: only those run), BENCH_RAW_ALS=1 (a diagnostic: every side runs
 * with an AsyncLocalStorage store entered from its start, so Node 20's promise hook is on in every
 * process and for every workload, not only from DotORM's first transaction on).
 * Beside the rates, every window reads the CPU time each call cost the side's process and, on Linux
 * with the server on this machine, the server: the "CPU per call" columns give DotORM's ÷ the raw
 * side's (lower is cheaper), the median of the rounds' ratios. On two cores the client and the server
 * share, that cost bounds throughput and moves far less than throughput itself.
 */
export async function compare(c: Comparison): Promise<void> {
  const rounds = env("BENCH_ROUNDS", 5);
  const windowMs = env("BENCH_MS", 600);
  const concurrency = env("BENCH_CONCURRENCY", 4);
  const poolSize = env("BENCH_POOL", 4);
  const control = process.env.BENCH_CONTROL === "1";
  const side = process.argv[2];
  // read by the side processes (serveSide), which inherit this environment
  if (process.platform === "linux" && process.env.BENCH_SERVER_CPU !== "0")
    process.env.BENCH_SERVER_COMM ??= c.serverComm;
  // BENCH_RAW_ALS=1, a diagnostic (never the headline figure): every side runs with Node 20's
  // AsyncLocalStorage promise hook on from its start (DotORM's is otherwise on only from its first
  // transaction), so the two differ only in their own work
  if ((side === "orm" || side === "raw") && process.env.BENCH_RAW_ALS === "1")
    new AsyncLocalStorage<boolean>().enterWith(true);
  if (side === "orm") return serveSide(() => c.ormSide(poolSize));
  if (side === "raw") return serveSide(() => c.rawSide(poolSize));

  const every = [
    ["get", "get by id (3 columns), 4 in flight", 1.0],
    ["getSeq", "get by id, one call at a time", 1.0],
    ["page20", "filtered page of 20", 1.0],
    ["insert", "single insert", 0.95],
    ["createMany", "createMany 10,000 rows", c.createManyTarget],
    ["update", "update by id", 0.95],
    ["delete", "delete by id", 0.95],
    ["chat50", "chat + creator + 50 messages with authors", 1.2],
    ["page100", "page of 100 chats with creators (raw: one JOIN)", 1.0],
    ["tx", "transaction: a chat and 3 messages", 1.0],
  ] as const;
  // BENCH_ONLY=tx,get: those workloads only (a narrower question answered in more rounds)
  const only = process.env.BENCH_ONLY?.split(",");
  const workloads = only ? every.filter(([name]) => only.includes(name)) : every;
  if (workloads.length === 0) throw new Error(`BENCH_ONLY names no workload; they are ${every.map(([n]) => n)}`);
  /** Workloads measured one call at a time. */
  const sequential = new Set<string>(["createMany", "getSeq"]);

  console.log(
    `DotORM vs ${c.rawName} on ${c.url.replace(/\/\/[^@]*@/, "//")}: ${rounds} rounds, ${windowMs} ms windows, concurrency ${concurrency}, pool ${poolSize}`,
  );
  await c.setUp();
  const script = fileURLToPath(c.script);
  const orm = new SideProcess("DotORM", script, ["orm"]);
  const raw = new SideProcess(c.rawName, script, ["raw"]);
  const ctl = control ? new SideProcess(`${c.rawName} (control)`, script, ["raw"]) : undefined;
  const results = new Map<string, { orm: Measured[]; raw: Measured[]; ctl: Measured[] }>(
    workloads.map(([name]) => [name, { orm: [], raw: [], ctl: [] }]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const [i, [name]] of workloads.entries()) {
      const timing = {
        warmupMs: round === 0 ? 500 : 100,
        durationMs: windowMs,
        minOps: 3,
        concurrency: sequential.has(name) ? 1 : concurrency,
      };
      const r = results.get(name)!;
      // Every order of the sides in turn (not only rotations: with three sides a rotation always
      // runs the raw side right after DotORM's), so none always runs first, or after the same side.
      const sides: [SideProcess, Measured[]][] = [
        [orm, r.orm],
        [raw, r.raw],
      ];
      if (ctl) sides.push([ctl, r.ctl]);
      const orders = permutations(sides);
      for (const [proc, out] of orders[(round + i) % orders.length] as typeof sides)
        out.push(await proc.run(name, timing));
    }
    console.log(`round ${round + 1}/${rounds} done`);
  }
  const [ormRss, rawRss] = [await orm.finish(), await raw.finish()];
  const ctlRss = ctl ? await ctl.finish() : undefined;
  const summary = workloads.map(([name, label, target]) => {
    const r = results.get(name)!;
    // the ratio of each round (both sides measured back to back), so the spread shows the noise
    const ratios = r.orm.map((o, i) => o.ops / (r.raw[i] as Measured).ops);
    const controls = r.ctl.map((o, i) => o.ops / (r.raw[i] as Measured).ops);
    return {
      control: controls.length > 0 ? spread(controls) : undefined,
      name,
      label,
      target,
      orm: median(r.orm.map((m) => m.ops)),
      raw: median(r.raw.map((m) => m.ops)),
      ratio: median(ratios),
      low: Math.min(...ratios),
      high: Math.max(...ratios),
      cpu: cpuRatios(r.orm, r.raw),
      controlCpu: r.ctl.length > 0 ? cpuRatios(r.ctl, r.raw) : undefined,
    };
  });
  const rows = summary.map((w) => [
    w.label,
    w.orm,
    w.raw,
    `${w.ratio.toFixed(2)}×`,
    `${w.low.toFixed(2)}–${w.high.toFixed(2)}×`,
    ...(w.control
      ? [`${w.control.median.toFixed(2)}× (${w.control.low.toFixed(2)}–${w.control.high.toFixed(2)})`]
      : []),
    `≥ ${w.target.toFixed(2)}×`,
    w.ratio >= w.target ? "yes" : "no",
  ]);
  const head = ["workload (median ops/s)", "DotORM", c.rawName, "median ratio", "spread (per round)"];
  if (control) head.push(`control: ${c.rawName} again / ${c.rawName}`);
  console.log(`\n${markdownTable([...head, "target", "met"], rows)}`);
  const cpuHead = [
    "CPU per call, DotORM ÷ " + c.rawName + " (median of rounds; lower is cheaper)",
    "client",
    "client + server",
  ];
  if (control) cpuHead.push("control: client", "control: client + server");
  const cpuCells = (x: CpuRatios | undefined) =>
    x
      ? [
          `${x.client.median.toFixed(2)} (${x.client.low.toFixed(2)}–${x.client.high.toFixed(2)})`,
          x.total ? `${x.total.median.toFixed(2)} (${x.total.low.toFixed(2)}–${x.total.high.toFixed(2)})` : "n/a",
        ]
      : [];
  console.log(
    `\n${markdownTable(
      cpuHead,
      summary.map((w) => [w.label, ...cpuCells(w.cpu), ...cpuCells(w.controlCpu)]),
    )}`,
  );
  const rssOk = ormRss - rawRss <= 10 ? "yes" : "no";
  console.log(
    `\npeak RSS: DotORM ${ormRss.toFixed(1)} MB, ${c.rawName} ${rawRss.toFixed(1)} MB, difference ${(ormRss - rawRss).toFixed(1)} MB (target ≤ 10 MB: ${rssOk})`,
  );
  if (ctlRss !== undefined)
    console.log(
      `control: ${c.rawName} again ${ctlRss.toFixed(1)} MB, ${(ctlRss - rawRss).toFixed(1)} MB over the raw side`,
    );
  // bench:check reads the figures back from here
  if (process.env.BENCH_JSON)
    writeFileSync(
      process.env.BENCH_JSON,
      JSON.stringify({ workloads: summary, rss: { orm: ormRss, raw: rawRss } }, null, 2),
    );
}

interface CpuRatios {
  readonly client: Spread;
  /** Client + server; undefined when the server's CPU was not read. */
  readonly total?: Spread;
}

/** Per round, `side`'s CPU per call ÷ `raw`'s: the client's, and the client's plus the server's. */
function cpuRatios(side: readonly Measured[], raw: readonly Measured[]): CpuRatios {
  const client = spread(side.map((m, i) => m.clientUs / (raw[i] as Measured).clientUs));
  const read = side.every((m, i) => (m.serverUs ?? 0) > 0 && ((raw[i] as Measured).serverUs ?? 0) > 0);
  if (!read) return { client };
  const total = (m: Measured) => m.clientUs + (m.serverUs as number);
  return { client, total: spread(side.map((m, i) => total(m) / total(raw[i] as Measured))) };
}

type Spread = { median: number; low: number; high: number };

/** Median, lowest and highest of a non-empty list of ratios. */
function spread(ratios: readonly number[]): Spread {
  return { median: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) };
}
