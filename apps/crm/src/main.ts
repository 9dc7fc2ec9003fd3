/**
 * `pnpm crm`: opens (and on the first run creates and seeds) the CRM's databases, serves the API
 * on HOST:PORT, prints the URL and the demo logins, and shuts down gracefully on SIGINT/SIGTERM.
 */
import { serve } from "@hono/node-server";
import { EventWriter } from "./analytics/event-writer.js";
import { ConfigError, loadConfig, redact } from "./config.js";
import { analyticsAdapter, openDatabases, recordsAdapter } from "./databases.js";
import { terminalProgress } from "./seed/progress.js";
import { isSeeded, seed } from "./seed/seed.js";
import { demoUsers } from "./seed/seed-plan.js";
import { createApp } from "./server/app.js";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
}

const where = config.DATABASE_URL ? redact(config.DATABASE_URL) : `PGlite in ${config.DATA_DIR}/crm`;
const analyticsWhere = config.CLICKHOUSE_URL
  ? redact(config.CLICKHOUSE_URL)
  : `chDB in ${config.DATA_DIR}/crm-analytics`;
console.log(`DotORM CRM: records on ${where}, analytics on ${analyticsWhere}`);
const dbs = await openDatabases(recordsAdapter(config), analyticsAdapter(config));
if (config.SEED && !(await isSeeded(dbs.db))) {
  console.log(`first run: seeding the ${config.SEED_SIZE} demo data set (once)...`);
  const started = performance.now();
  const report = await seed(dbs, { size: config.SEED_SIZE, progress: terminalProgress() });
  console.log(
    `seeded in ${((performance.now() - started) / 1000).toFixed(1)} s: ${Object.entries(report)
      .map(([k, v]) => `${v} ${k}`)
      .join(", ")}`,
  );
}

const events = new EventWriter();
const { app, hub, idle } = createApp({
  db: dbs.db,
  analytics: dbs.analytics,
  events,
  sessionTtlMs: config.SESSION_TTL_HOURS * 3_600_000,
  sessionCacheMs: config.SESSION_CACHE_SECONDS * 1000,
  cookieSecure: config.COOKIE_SECURE,
});
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  const host = info.address.includes(":") ? `[${info.address}]` : info.address;
  const base = `http://${host}:${info.port}`;
  // One write, so that whoever watches the output for the URL gets the logins with it.
  console.log(
    [
      `\nDotORM CRM listening on ${base}`,
      `  web UI:   ${base}/`,
      `  API docs: ${base}/auto/docs`,
      "  demo logins (password = login):",
      ...demoUsers.map((u) => `    ${u.login.padEnd(8)} ${u.role}`),
      `  try: curl -s -X POST ${base}/api/login -H 'content-type: application/json' -d '{"login":"sales","password":"sales"}'`,
    ].join("\n"),
  );
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping (finishing open requests)...`);
  const force = setTimeout(() => {
    console.error("shutdown took over 10 s; exiting");
    process.exit(1);
  }, 10_000);
  force.unref();
  hub.closeAll();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // a client that hung up closes its socket, not its request's work: let that work end before the databases close
  if (!(await idle(8_000))) console.error("some requests were still running after 8 s; closing anyway");
  await events.close();
  await dbs.close();
  console.log("stopped");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
