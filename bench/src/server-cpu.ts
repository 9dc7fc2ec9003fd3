import { readFileSync, readdirSync } from "node:fs";

/**
 * The CPU time the database server has used so far, in nanoseconds: the sum of the scheduler's run
 * time (`/proc/<pid>/task/<tid>/schedstat`, nanosecond resolution) over every thread of every process
 * named `comm` (`postgres`: the postmaster, each connection's backend and the background workers;
 * `mariadbd`: one process of many threads). Linux only; the server must run on this machine.
 * Threads that ended between two readings take their time with them, so a difference of two
 * readings is a lower bound (PostgreSQL's backends live as long as their pooled connection).
 *
 * @example
 * const before = serverCpuNs("postgres");
 * await runBatch();
 * const serverNsPerCall = (serverCpuNs("postgres") - before) / calls;
 */
export function serverCpuNs(comm: string): number {
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== comm) continue;
      for (const tid of readdirSync(`/proc/${pid}/task`))
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the process or thread ended while it was read
    }
  }
  return total;
}
