import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ConfigurationError, type Migration, type MigrationDb } from "@dotorm/core";
import { loader } from "./config.js";

/** `20261130124500_add_probability.ts`: a UTC timestamp, a name, a TypeScript or JavaScript file. */
export const migrationFile = /^(\d{14})_([A-Za-z0-9_]+)\.(ts|mts|js|mjs)$/;

const strings = (v: unknown, file: string, what: string): string[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw new ConfigurationError(`${file}: "${what}" must be a list of strings`);
  return v;
};

/**
 * Loads the migrations folder: each file's `up` and `down`, its `destructive` lists, and the
 * SHA-256 of its content (an applied file whose content changed stops the run).
 */
export async function loadMigrations(dir: string, root: string): Promise<Migration[]> {
  if (!existsSync(dir)) return [];
  const jiti = loader(root);
  const files = readdirSync(dir)
    .filter((f) => migrationFile.test(f))
    .sort();
  const out: Migration[] = [];
  for (const name of files) {
    const path = join(dir, name);
    const checksum = createHash("sha256").update(readFileSync(path)).digest("hex");
    let mod: Record<string, unknown>;
    try {
      mod = (await jiti.import(path)) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigurationError(
        `migration ${name} could not be loaded: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
    if (typeof mod.up !== "function" || typeof mod.down !== "function") {
      throw new ConfigurationError(`migration ${name} must export async functions up(db) and down(db)`);
    }
    const [up, down] = [mod.up as (db: MigrationDb) => Promise<void>, mod.down as (db: MigrationDb) => Promise<void>];
    out.push({
      name: name.replace(/\.(ts|mts|js|mjs)$/, ""),
      checksum,
      up: async (db) => up(db),
      down: async (db) => down(db),
      destructive: strings(mod.destructive, name, "destructive"),
      destructiveDown: strings(mod.destructiveDown, name, "destructiveDown"),
    });
  }
  return out;
}

/** `20261130124500` for now (UTC), bumped past `taken` so names stay unique and ordered. */
export function timestamp(taken: readonly string[], now = new Date()): string {
  let t = now.getTime();
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);
  while (taken.some((n) => n.startsWith(stamp(t)))) t += 1000;
  return stamp(t);
}
