import { type ChildProcess, fork } from "node:child_process";
import { type Measured, type TimingOptions, measure, peakRssMb } from "./harness.js";
import { serverCpuNs } from "./server-cpu.js";

/**
 * Each side of a bench (DotORM, the raw driver) lives in its own child process, so its peak RSS is
 * its own and neither side's garbage slows the other. The parent asks the sides in turn to run one
 * workload at a time, which interleaves them finely while only one of them is busy.
 */

/** One benchmarked operation. */
export interface Workload {
  /** Untimed work before each measurement (e.g. rows for the deletes to remove). */
  readonly prepare?: () => Promise<void>;
  readonly op: () => Promise<unknown>;
}

/** A connected side: its workloads by name, and how to disconnect. */
export interface Side {
  readonly workloads: Readonly<Record<string, Workload>>;
  close(): Promise<void>;
}

type Request = { run: string; timing: TimingOptions } | { finish: true };
type Reply = { measured: Measured } | { ready: true } | { rssMb: number } | { error: string };

/**
 * In the child: connects the side and answers the parent's requests until told to finish. With
 * `BENCH_SERVER_COMM` set (the server's process name, `postgres` or `mariadbd`), each window also
 * reads the server's CPU (see server-cpu.ts).
 */
export async function serveSide(connect: () => Promise<Side>): Promise<void> {
  const side = await connect();
  const comm = process.env.BENCH_SERVER_COMM;
  const server = comm ? () => serverCpuNs(comm) : undefined;
  const reply = (r: Reply) => process.send!(r);
  process.on("message", async (msg: Request) => {
    try {
      if ("finish" in msg) {
        await side.close();
        reply({ rssMb: peakRssMb() });
        process.disconnect();
        return;
      }
      const w = side.workloads[msg.run];
      if (!w) throw new Error(`no workload "${msg.run}"`);
      await w.prepare?.();
      reply({ measured: await measure(w.op, msg.timing, server) });
    } catch (e) {
      reply({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
  reply({ ready: true });
}

/** In the parent: a side running in a child process. */
export class SideProcess {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;

  /** Forks `script` with `args` (it must call {@link serveSide}); the child inherits the tsx loader. */
  constructor(
    readonly name: string,
    script: string,
    args: readonly string[],
  ) {
    this.child = fork(script, [...args], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.ready = this.next().then(() => undefined);
  }

  private next(): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${this.name} side exited with code ${code}`));
      this.child.once("exit", onExit);
      this.child.once("message", (m: Reply) => {
        this.child.off("exit", onExit);
        if ("error" in m) reject(new Error(`${this.name} side: ${m.error}`));
        else resolve(m);
      });
    });
  }

  /** Runs workload `name` in the child; resolves to its rate and CPU per call. */
  async run(name: string, timing: TimingOptions): Promise<Measured> {
    await this.ready;
    const reply = this.next();
    this.child.send({ run: name, timing } satisfies Request);
    return ((await reply) as { measured: Measured }).measured;
  }

  /** Closes the side and returns its peak RSS in MB. */
  async finish(): Promise<number> {
    await this.ready;
    const reply = this.next();
    this.child.send({ finish: true } satisfies Request);
    return ((await reply) as { rssMb: number }).rssMb;
  }
}
