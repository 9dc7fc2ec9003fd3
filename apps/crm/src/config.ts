import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** The repository's `.data/` folder, where the embedded databases live unless DATA_DIR says otherwise. */
export const defaultDataDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../../.data");

const url = (schemes: string[], what: string) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return schemes.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${schemes.map((s) => `${s}//`).join(" or ")} (${what})`,
    );

const flag = z
  .enum(["1", "0", "true", "false", "yes", "no"], { error: "must be 1/0, true/false or yes/no" })
  .transform((v) => ["1", "true", "yes"].includes(v));

const schema = z.object({
  DATABASE_URL: url(
    ["postgres:", "postgresql:", "mysql:", "mariadb:"],
    "a PostgreSQL or MySQL/MariaDB server",
  ).optional(),
  CLICKHOUSE_URL: url(["http:", "https:"], "a ClickHouse server's HTTP interface").optional(),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a plain identifier (letters, digits, _)")
    .default("crm"),
  DATA_DIR: z.string().min(1, "must not be empty").default(defaultDataDir),
  PORT: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(0, "must be 0-65535")
    .max(65535, "must be 0-65535")
    .default(3000),
  HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
  SESSION_TTL_HOURS: z.coerce
    .number({ error: "must be a number" })
    .positive("must be more than 0")
    .max(24 * 365, "must be at most a year")
    .default(12),
  SESSION_CACHE_SECONDS: z.coerce
    .number({ error: "must be a number" })
    .min(0, "must be 0 (off) or more")
    .max(60, "must be at most 60")
    .default(5),
  SEED: flag.default(true),
  SEED_SIZE: z.enum(["small", "large"], { error: 'must be "small" or "large"' }).default("large"),
  COOKIE_SECURE: flag.default(false),
});

/** The server's configuration, from environment variables. */
export type Config = z.infer<typeof schema>;

/** Thrown when some variables are wrong; the message names each one and what is wrong with it. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Reads and checks the configuration. Empty variables count as unset.
 *
 * @example
 * const config = loadConfig({ PORT: "8080" });   // config.PORT === 8080, embedded databases in .data/
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const given = Object.fromEntries(
    Object.keys(schema.shape).flatMap((k) => (env[k] === undefined || env[k] === "" ? [] : [[k, env[k]]])),
  );
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? "?");
      const value = given[key];
      return `${key}=${JSON.stringify(key.endsWith("_URL") ? redact(String(value)) : value)}: ${i.message}`;
    }),
  );
}

/** A URL with its password hidden, for messages. */
export function redact(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return value;
  }
}
