import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type Adapter, type AnyModel, ConfigurationError } from "@dotorm/core";
import { createJiti } from "jiti";

/** What `adapter` receives: the `--url` or `DOTORM_URL` override, if any. */
export interface AdapterEnv {
  readonly url?: string;
}

/**
 * The contents of `dotorm.config.ts`.
 *
 * @example
 * export default defineConfig({
 *   adapter: ({ url }) => postgres({ url: url ?? "postgres://postgres@127.0.0.1:5432/app" }),
 *   models: [Lead, Partner],
 *   migrations: "./migrations",
 * });
 */
export interface DotormConfig {
  /** The adapter, or a function of the `--url` / `DOTORM_URL` override that makes it. */
  readonly adapter: Adapter | ((env: AdapterEnv) => Adapter | Promise<Adapter>);
  /** The models the database serves. */
  readonly models: readonly AnyModel[];
  /** The migrations folder, relative to the config file (default `./migrations`). */
  readonly migrations?: string;
}

/** Types a `dotorm.config.ts` (identity at run time). */
export function defineConfig(config: DotormConfig): DotormConfig {
  return config;
}

/** A loaded, checked configuration. */
export interface LoadedConfig {
  readonly file: string;
  readonly root: string;
  readonly migrationsDir: string;
  readonly models: readonly AnyModel[];
  adapter(url: string | undefined): Promise<Adapter>;
}

/** Loads TypeScript (or JS) with jiti: no build step; the project's own `@dotorm/*` packages are used. */
export function loader(root: string) {
  return createJiti(resolve(root, "dotorm.config.ts"), { interopDefault: true, moduleCache: false, fsCache: false });
}

/** Reads and checks the configuration file; every problem is a ConfigurationError naming the file and the fix. */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  const file = resolve(path);
  if (!existsSync(file))
    throw new ConfigurationError(`no configuration at ${file}: run \`dotorm init\` or pass --config <file>`);
  const root = resolve(file, "..");
  let loaded: unknown;
  try {
    loaded = await loader(root).import(file, { default: true });
  } catch (e) {
    throw new ConfigurationError(`${file} could not be loaded: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
  const config = (loaded ?? {}) as Partial<DotormConfig>;
  if (typeof config !== "object")
    throw new ConfigurationError(`${file} must export default defineConfig({ adapter, models })`);
  const { adapter, models, migrations } = config;
  if (typeof adapter !== "function" && !(adapter && typeof adapter === "object" && "driver" in adapter)) {
    throw new ConfigurationError(
      `${file}: "adapter" must be an adapter (postgres(...), mysql(...), clickhouse(...)) or a function ({ url }) => adapter`,
    );
  }
  if (!Array.isArray(models) || models.some((m) => !m || typeof m !== "function" || !(m as AnyModel).meta)) {
    throw new ConfigurationError(`${file}: "models" must be a list of model classes made by model()`);
  }
  if (migrations !== undefined && typeof migrations !== "string")
    throw new ConfigurationError(`${file}: "migrations" must be a folder path`);
  return {
    file,
    root,
    migrationsDir: resolve(root, migrations ?? "migrations"),
    models,
    async adapter(url) {
      if (typeof adapter === "function") return adapter({ url });
      if (url)
        throw new ConfigurationError(
          `${file}: --url (or DOTORM_URL) needs "adapter" to be a function: adapter: ({ url }) => postgres({ url })`,
        );
      return adapter as Adapter;
    },
  };
}
