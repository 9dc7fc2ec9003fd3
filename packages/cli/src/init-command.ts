import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigurationError } from "@dotorm/core";
import { type Io, color } from "./context.js";

const adapters = {
  postgres: [
    "@dotorm/postgres",
    "postgres",
    'postgres({ url: url ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/app" })',
  ],
  pglite: ["@dotorm/postgres", "postgres", 'postgres(url ? { url } : { pglite: "./data/pglite" })'],
  mysql: [
    "@dotorm/mysql",
    "mysql",
    'mysql({ url: url ?? process.env.DATABASE_URL ?? "mysql://root@127.0.0.1:3306/app" })',
  ],
  clickhouse: ["@dotorm/clickhouse", "clickhouse", 'clickhouse(url ? { url } : { embedded: "./data/clickhouse" })'],
} as const;

/** `dotorm init`: writes `dotorm.config.ts` (adapter, models, migrations folder) and the migrations folder. */
export function init(io: Io, options: { adapter?: string; dir?: string }): number {
  const kind = (options.adapter ?? "postgres") as keyof typeof adapters;
  const spec = adapters[kind];
  if (!spec)
    throw new ConfigurationError(
      `--adapter must be one of ${Object.keys(adapters).join(", ")}, got ${JSON.stringify(options.adapter)}`,
    );
  const root = resolve(options.dir ?? ".");
  const file = resolve(root, "dotorm.config.ts");
  if (existsSync(file)) throw new ConfigurationError(`${file} exists already; edit it, or remove it to start over`);
  const [pkg, fn, call] = spec;
  writeFileSync(
    file,
    `import { defineConfig } from "@dotorm/cli";
import { ${fn} } from "${pkg}";
// import { Lead, Partner } from "./src/models";

export default defineConfig({
  // --url or DOTORM_URL arrives as \`url\`
  adapter: ({ url }) => ${call},
  models: [],
  migrations: "./migrations",
});
`,
  );
  mkdirSync(resolve(root, "migrations"), { recursive: true });
  io.out(`${color.green("created")} ${file}`);
  io.out(`${color.green("created")} ${resolve(root, "migrations")}/`);
  io.out(`next: list your models in dotorm.config.ts, then ${color.bold("dotorm migrate generate init")}`);
  return 0;
}
