import { type Database, connect } from "@dotorm/core";
import pc from "picocolors";
import { type LoadedConfig, loadConfig } from "./config.js";

/** Options every command that connects takes. */
export interface GlobalOptions {
  config?: string;
  url?: string;
}

/** Where a command writes: stdout for results, stderr for progress and errors (so `--json` stays clean). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * Whether the process runs under CI: `CI` set to anything but "", "0" or "false" (`CI=false` is not CI).
 *
 * @example
 * const fancy = process.stderr.isTTY === true && !onCI();
 */
export function onCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return !["", "0", "false"].includes((env.CI ?? "").trim().toLowerCase());
}

/** Loads the configuration, connects, runs `fn`, and always closes the connection. */
export async function withDatabase<T>(
  options: GlobalOptions,
  fn: (db: Database, config: LoadedConfig) => Promise<T>,
): Promise<T> {
  const config = await loadConfig(options.config ?? process.env.DOTORM_CONFIG ?? "dotorm.config.ts");
  const url = options.url ?? process.env.DOTORM_URL;
  const db = await connect(config.adapter(url), { models: [...config.models] });
  try {
    return await fn(db, config);
  } finally {
    await db.close();
  }
}

/** Colour helpers (off when NO_COLOR is set or output is not a terminal, as picocolors decides). */
export const color = pc;
