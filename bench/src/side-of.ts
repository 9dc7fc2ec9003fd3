/**
 * The driver sides the one-process instruments (`cpu.ts`, `instructions.ts`) measure, by name, and
 * the loop that runs a workload's calls with a fixed number in flight.
 *
 * @example
 * const side = await sideOf("pg-orm");
 * await run(side.workloads.update.op, 2000, 4);
 */
import type { Side } from "./side-process.js";

/** A bench side by name: `pg-orm`, `pg-raw`, `my-orm` or `my-raw`, each with 4 connections. */
export async function sideOf(name: string): Promise<Side> {
  if (name === "pg-orm") return (await import("./pg-orm-side.js")).ormSide(4);
  if (name === "pg-raw") return (await import("./pg-raw-side.js")).rawSide(4);
  if (name === "my-orm") return (await import("./mysql-orm-side.js")).ormSide(4);
  if (name === "my-raw") return (await import("./mysql-raw-side.js")).rawSide(4);
  throw new Error(`unknown side ${name}; one of pg-orm, pg-raw, my-orm, my-raw`);
}

/** Runs `op` `n` times, `width` calls in flight at once. */
export async function run(op: () => Promise<unknown>, n: number, width: number): Promise<void> {
  let left = n;
  const worker = async () => {
    while (left-- > 0) await op();
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
}
