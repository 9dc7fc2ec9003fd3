import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, "../dist/cli.js");

/** What one run of the built `dotorm` binary printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `dotorm args...` in `cwd` as a child process (the built binary, as users run it). */
export function cli(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 300_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Runs `dotorm args...` on a pseudo-terminal (util-linux `script`), as a user at a terminal does:
 * stdout and stderr arrive mixed in `stdout`. `CI` is removed so the terminal display is used.
 */
export function cliTty(cwd: string, args: readonly string[]): Promise<CliResult> {
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  // a pseudo-terminal starts 0 columns wide; give it the size of a usual terminal window
  const command = `stty cols 100 rows 30; ${[process.execPath, bin, ...args].map(quote).join(" ")}`;
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", TERM: "xterm" };
  delete env.CI;
  return new Promise((done) => {
    execFile("script", ["-qec", command, "/dev/null"], { cwd, env, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** A fresh project folder under test/.projects (inside the package, so `@dotorm/*` resolve). */
export function project(name: string, files: Record<string, string> = {}): string {
  const dir = join(here, ".projects", `${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) write(dir, file, text);
  return dir;
}

/** Writes a file of a project. */
export function write(dir: string, file: string, text: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}

/** The config of a test project: the adapter from `adapterSource`, models from ./models.ts. */
export function configSource(importLine: string, adapterSource: string): string {
  return `${importLine}\nimport { models } from "./models";\n\nexport default {\n  adapter: ({ url }: { url?: string }) => ${adapterSource},\n  models,\n  migrations: "./migrations",\n};\n`;
}

/** Models of the CLI tests: partners and leads, with optional changes. */
export function modelsSource(prefix: string, v: { probability?: boolean; renamed?: boolean } = {}): string {
  return `import { f, model } from "@dotorm/core";

export const Partner = model("${prefix}_partners", { name: f.char({ maxLength: 100, required: true }) });
export const Lead = model("${prefix}_leads", {
  ${v.renamed ? "subject" : "title"}: f.char({ maxLength: 200, required: true }),
  partner_id: f.many2one(() => Partner, { onDelete: "cascade" }),
  ${v.probability ? "probability: f.integer()," : ""}
});
export const models = [Partner, Lead];
`;
}

/** Models with declared keys: a uuid, a char and a bigint key, a many2one to each and a many2many. */
export function keyedModelsSource(prefix: string): string {
  return `import { f, model } from "@dotorm/core";

export const Country = model("${prefix}_countries", { id: f.char({ primaryKey: true, maxLength: 8 }), name: f.char({ maxLength: 40 }) });
export const Account = model("${prefix}_accounts", { id: f.bigInteger({ primaryKey: true }), name: f.char({ maxLength: 40 }) });
export const Token = model("${prefix}_tokens", {
  id: f.uuid({ primaryKey: true, default: "uuid7" }),
  label: f.char({ maxLength: 40, required: true }),
  country_id: f.many2one(() => Country, { onDelete: "cascade" }),
  countries: f.many2many(() => Country, { table: "${prefix}_token_countries" }),
});
export const Item = model("${prefix}_items", {
  token_id: f.many2one(() => Token, { required: true, onDelete: "cascade" }),
  account_id: f.many2one(() => Account),
});
export const models = [Country, Account, Token, Item];
`;
}
