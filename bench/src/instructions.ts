/**
 * Instructions per call, counted by valgrind's callgrind: `pnpm --filter @dotorm/bench instructions
 * <side> [workload ...]`, side as in `cpu.ts` (`pg-orm`, `pg-raw`, `my-orm`, `my-raw`). A count of
 * the instructions the client process ran (every thread: JIT and GC included; not the kernel's time)
 * does not depend on what else the machine runs; it moves only with JIT and GC timing, a few percent
 * once a workload is warm, where CPU time on a shared VM moves by 10–30%. Each workload named runs untimed (a third of the calls), then its window of `BENCH_IC_CALLS`
 * calls (default 2,000; createMany 10) with 4 in flight; a name given several times measures it
 * again after the others, as the throughput bench alternates them. Needs valgrind and a C compiler
 * (the client requests in `native/callgrind.c` are built on first use); runs about 50 times slower
 * than native, so a window stands for the code's steady state only once a workload has run a few
 * thousand calls. `BENCH_RAW_ALS=1` enters an AsyncLocalStorage store from the start, as in
 * `compare.ts`: Node 20's promise hook is then on in either side from the first window. Run
 * `cpu --setup` first.
 *
 * @example
 * // pnpm --filter @dotorm/bench instructions pg-orm update tx update tx update tx
 * // pg-orm update #3: 112,370 instructions/call
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { run, sideOf } from "./side-of.js";

interface ClientRequests {
  zero(): void;
  dump(name: string): void;
  running(): boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
const native = join(here, "..", "native");

/** The client requests, compiled on first use against this Node's headers. */
function clientRequests(): ClientRequests {
  const built = join(native, "build", `callgrind-${process.versions.modules}.node`);
  if (!existsSync(built)) {
    const headers = [join(dirname(process.execPath), "..", "include", "node"), "/usr/include/node"].find((d) =>
      existsSync(join(d, "node_api.h")),
    );
    if (!headers) throw new Error("instructions: Node's headers (node_api.h) are not on this machine");
    execFileSync("mkdir", ["-p", dirname(built)]);
    execFileSync("cc", ["-O2", "-shared", "-fPIC", `-I${headers}`, "-o", built, join(native, "callgrind.c")], {
      stdio: "inherit",
    });
  }
  return createRequire(import.meta.url)(built) as ClientRequests;
}

/** Inside valgrind: each window between a zero and a named dump. */
async function measureWindows(cg: ClientRequests, name: string, workloads: string[]): Promise<void> {
  const calls = Number(process.env.BENCH_IC_CALLS ?? 2000);
  if (process.env.BENCH_RAW_ALS === "1") new AsyncLocalStorage<boolean>().enterWith(true);
  const side = await sideOf(name);
  const seen = new Map<string, number>();
  try {
    for (const w of workloads) {
      const work = side.workloads[w];
      if (!work) throw new Error(`instructions: no workload ${w}`);
      const n = w === "createMany" ? 10 : calls;
      const width = w === "createMany" || w === "getSeq" ? 1 : 4;
      await work.prepare?.();
      await run(work.op, Math.ceil(n / 3), width);
      await work.prepare?.();
      const k = (seen.get(w) ?? 0) + 1;
      seen.set(w, k);
      cg.zero();
      await run(work.op, n, width);
      cg.dump(`${w} #${k}:${n}`);
    }
  } finally {
    await side.close();
  }
}

/** Outside: runs this script under callgrind and prints each window's instructions per call. */
function underValgrind(args: string[]): void {
  const out = mkdtempSync(join(tmpdir(), "dotorm-ic-"));
  try {
    const r = spawnSync(
      "valgrind",
      [
        "--tool=callgrind",
        `--callgrind-out-file=${join(out, "cg.%p")}`,
        process.execPath,
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        ...args,
      ],
      { stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`instructions: valgrind failed (${r.status}):\n${r.stderr?.slice(-2000)}`);
    // cg.<pid>.<n>: the nth dump, in the order the windows ran
    const windows = readdirSync(out)
      .filter((f) => /\.\d+\.\d+$/.test(f))
      .sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()))
      .map((f) => readFileSync(join(out, f), "utf8"))
      .map((text) => ({
        label: /^desc: Trigger: Client Request: (.*)$/m.exec(text)?.[1],
        total: Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1]),
      }))
      .filter((w): w is { label: string; total: number } => w.label !== undefined);
    for (const w of windows) {
      const [label, n] = w.label.split(":");
      console.log(`${args[0]} ${label}: ${Math.round(w.total / Number(n)).toLocaleString("en")} instructions/call`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const [name = "pg-orm", ...workloads] = process.argv.slice(2);
const cg = clientRequests();
if (cg.running()) await measureWindows(cg, name, workloads.length > 0 ? workloads : ["get", "page20", "update", "tx"]);
else underValgrind([name, ...workloads]);
