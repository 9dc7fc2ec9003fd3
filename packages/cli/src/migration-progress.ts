import type { RunOptions } from "@dotorm/core";
import { createSpinner } from "nanospinner";
import { type Io, color } from "./context.js";

/** What `migrate up`/`down` report while they run, and how a failed run ends the display. */
export interface MigrationProgress {
  onProgress: NonNullable<RunOptions["onProgress"]>;
  /** Marks the migration in flight as failed (the error itself is printed by the caller). */
  fail(): void;
}

/**
 * Progress of a migration run on stderr. On a terminal each migration shows a spinner with the
 * statement it is running, replaced by `✓ name (ms)` when it is done; elsewhere (CI, pipes, files)
 * one plain line per step: `→ name`, the statements, `✓ name (ms)`.
 *
 * @example
 * const progress = migrationProgress(stdio, process.stderr.isTTY === true && !onCI());
 * await migrator.up({ onProgress: progress.onProgress }).catch((e) => { progress.fail(); throw e; });
 */
export function migrationProgress(io: Io, terminal: boolean): MigrationProgress {
  if (!terminal) {
    return {
      onProgress: (e) => {
        if (e.type === "start") io.err(`${color.cyan("→")} ${e.name}`);
        else if (e.type === "statement") io.err(color.dim(`    ${e.sql}`));
        else io.err(`${color.green("✓")} ${e.name} ${color.dim(`(${Math.round(e.durationMs ?? 0)} ms)`)}`);
      },
      fail: () => undefined,
    };
  }
  let spinner: ReturnType<typeof createSpinner> | undefined;
  let current = "";
  return {
    onProgress: (e) => {
      if (e.type === "start") {
        current = e.name;
        spinner = createSpinner(e.name, { stream: process.stderr }).start();
      } else if (e.type === "statement") {
        const sql = e.sql.replace(/\s+/g, " ");
        spinner?.update({ text: `${current} ${color.dim(sql.length > 70 ? `${sql.slice(0, 69)}…` : sql)}` });
      } else {
        spinner?.success({ text: `${e.name} ${color.dim(`(${Math.round(e.durationMs ?? 0)} ms)`)}` });
        spinner = undefined;
      }
    },
    fail: () => {
      spinner?.error({ text: `${current} failed` });
      spinner = undefined;
    },
  };
}
