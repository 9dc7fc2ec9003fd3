#!/usr/bin/env node
/**
 * Measures the web UI's production JavaScript that the first page load fetches (the entry script
 * and the modules it preloads, as dist/web/index.html lists them), gzipped, and fails above the
 * budget (350 KB). Lazy chunks (the dashboard) are reported apart.
 *
 * @example
 * pnpm --filter crm build && pnpm --filter crm bundle-size
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const budget = 350 * 1024;
const web = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/web");
const html = readFileSync(join(web, "index.html"), "utf8");
const first = [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
const gz = (file) => gzipSync(readFileSync(join(web, file))).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const firstLoad = first.reduce((sum, f) => sum + gz(f), 0);
const lazy = readdirSync(join(web, "assets")).filter((f) => f.endsWith(".js") && !first.includes(`assets/${f}`));
for (const f of first) console.log(`first load  ${kb(gz(f)).padStart(10)}  ${f}`);
for (const f of lazy) console.log(`lazy        ${kb(gz(`assets/${f}`)).padStart(10)}  assets/${f}`);
console.log(`first-load JS gzipped: ${kb(firstLoad)} (budget ${kb(budget)})`);
if (first.length === 0) {
  console.error("no script found in dist/web/index.html");
  process.exit(1);
}
if (firstLoad > budget) {
  console.error(`over budget by ${kb(firstLoad - budget)}`);
  process.exit(1);
}
