/**
 * Where one call's time goes on PostgreSQL, one call in flight, DotORM's side and raw `pg`'s in one
 * process: `pnpm --filter @dotorm/bench pg-phases tx update get`. For each workload it prints the
 * median time of each step of a call: the client's work before each statement is handed to pg, and
 * each statement from then until pg reads its ReadyForQuery ("on the wire": the server's work, the
 * network and pg's parsing of the reply; the reply's own reaction, which runs inside pg's handler,
 * counts here too). A statement's label is the start of its SQL. The sides take turns, 6 rounds of
 * PHASES_CALLS / 6 calls each (default 3000 per side, after 1000 untimed), so drift moves both alike.
 * Needs the bench schema (`pnpm --filter @dotorm/bench cpu --setup`).
 */
import pg from "pg";
import { median } from "./harness.js";
import { ormSide } from "./pg-orm-side.js";
import { rawSide } from "./pg-raw-side.js";
import type { Side } from "./side-process.js";

const calls = Number(process.env.PHASES_CALLS ?? 3000);

/** The events of the call being timed: a statement handed to pg, or a ReadyForQuery read. */
let events: [label: string, at: number][] | undefined;
const watched = new WeakSet<object>();
const submit = pg.Client.prototype.query;
// wraps pg's entry point, the one place both sides pass through, for this process only
pg.Client.prototype.query = function (this: pg.Client, q: unknown, ...rest: unknown[]) {
  const connection = (this as unknown as { connection: { on(e: string, f: () => void): void } }).connection;
  if (!watched.has(this)) {
    watched.add(this);
    connection.on("readyForQuery", () => events?.push(["ready", performance.now()]));
  }
  const text = typeof q === "string" ? q : ((q as { text?: string }).text ?? "");
  events?.push([text.replace(/\s+/g, " ").slice(0, 24), performance.now()]);
  return (submit as (...a: unknown[]) => unknown).call(this, q, ...rest);
} as typeof pg.Client.prototype.query;

/** Adds the steps of `n` calls of `work` to `steps` (by label, in the order of a call). */
async function phases(work: Side["workloads"][string], n: number, steps: Map<string, number[]>): Promise<void> {
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    events = [];
    await work.op();
    const seen = events;
    events = undefined;
    seen.push(["end", performance.now()]);
    let previous = start;
    let open = "call";
    for (const [label, at] of seen) {
      const step = label === "ready" ? `on the wire: ${open}` : `client, then ${label}`;
      if (label !== "ready") open = label;
      let list = steps.get(step);
      if (!list) steps.set(step, (list = []));
      list.push((at - previous) * 1000);
      previous = at;
    }
  }
}

async function main() {
  const workloads = process.argv.slice(2);
  const sides: [string, Side][] = [
    ["raw pg", await rawSide(1)],
    ["DotORM", await ormSide(1)],
  ];
  try {
    for (const workload of workloads.length > 0 ? workloads : ["tx", "update", "get"]) {
      const steps = sides.map(() => new Map<string, number[]>());
      for (const [, side] of sides) {
        const work = side.workloads[workload];
        if (!work) throw new Error(`no workload ${workload}`);
        await work.prepare?.();
        for (let i = 0; i < 1000; i++) await work.op();
      }
      for (let round = 0; round < 6; round++)
        for (const i of round % 2 === 0 ? [0, 1] : [1, 0])
          await phases(
            (sides[i] as [string, Side])[1].workloads[workload] as Side["workloads"][string],
            calls / 6,
            steps[i] as Map<string, number[]>,
          );
      sides.forEach(([name], i) => {
        let total = 0;
        console.log(`${workload}, ${name} (median µs of ${calls} calls):`);
        for (const [step, times] of steps[i] as Map<string, number[]>) {
          const m = median(times);
          total += m;
          console.log(`  ${m.toFixed(1).padStart(7)}  ${step}`);
        }
        console.log(`  ${total.toFixed(1).padStart(7)}  sum of the medians`);
      });
    }
  } finally {
    for (const [, side] of sides) await side.close();
  }
}

await main();
