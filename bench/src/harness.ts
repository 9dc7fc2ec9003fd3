/**
 * Timing helpers shared by the benches (PostgreSQL here; MySQL and ClickHouse reuse them). Timing is
 * by wall clock over a window, never a fixed count, so slow and fast workloads take similar time.
 */

/** How long to warm up and to measure one workload, and how many calls run at once. */
export interface TimingOptions {
  /** Calls made before timing starts, in ms (lets the JIT and the statement caches settle). */
  readonly warmupMs: number;
  /** Timed window in ms; the window is extended until at least `minOps` calls finished. */
  readonly durationMs: number;
  /** Lower bound on timed calls, so a slow workload (createMany) still gives a rate. */
  readonly minOps: number;
  /** Calls in flight at once (each a loop awaiting its own call). */
  readonly concurrency: number;
}

/** Calls `op` from `concurrency` loops until `ms` passed and `minOps` calls finished; returns calls done. */
async function loop(op: () => Promise<unknown>, ms: number, minOps: number, concurrency: number): Promise<number> {
  const end = performance.now() + ms;
  let done = 0;
  const worker = async () => {
    while (performance.now() < end || done < minOps) {
      await op();
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done;
}

/** Operations per second of `op` after a warm-up. */
export async function opsPerSecond(op: () => Promise<unknown>, t: TimingOptions): Promise<number> {
  return (await measure(op, t)).ops;
}

/** What one timed window of a workload cost: its rate, and the CPU each call took. */
export interface Measured {
  /** Calls per second (wall clock). */
  readonly ops: number;
  /** This process's CPU time (user + system) per call, in µs. */
  readonly clientUs: number;
  /** The database server's CPU time per call in µs, when `serverCpuNs` was given (see server-cpu.ts). */
  readonly serverUs?: number;
}

/**
 * {@link opsPerSecond} with the CPU the window cost: this process's (`process.cpuUsage`) and, given
 * `serverCpuNs` (a reading of the server's CPU time so far, in ns), the server's, both per call.
 * The readings are taken just outside the timed window, so reading the server's CPU costs the rate nothing.
 *
 * @example
 * const { ops, clientUs, serverUs } = await measure(op, timing, () => serverCpuNs("postgres"));
 */
export async function measure(
  op: () => Promise<unknown>,
  t: TimingOptions,
  serverCpuNs?: () => number,
): Promise<Measured> {
  if (t.warmupMs > 0) await loop(op, t.warmupMs, 1, t.concurrency);
  const serverBefore = serverCpuNs?.();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const done = await loop(op, t.durationMs, t.minOps, t.concurrency);
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const measured = { ops: (done * 1000) / ms, clientUs: (cpu.user + cpu.system) / done };
  if (!serverCpuNs || serverBefore === undefined) return measured;
  return { ...measured, serverUs: (serverCpuNs() - serverBefore) / 1000 / done };
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Peak resident set size of this process so far, in MB (the kernel's high-water mark). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Renders rows as a Markdown table (readable in a terminal, pasted as is into the README). */
export function markdownTable(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : c)));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) =>
    `| ${r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, j) => (j === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(head), rule, ...cells.map(line)].join("\n");
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toString() : n.toFixed(2);
}

/** Every order of `items` (n! of them; the bench has two or three sides). */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}
