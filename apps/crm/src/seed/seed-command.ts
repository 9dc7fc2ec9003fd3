/**
 * `pnpm --filter crm seed [--size small|large]`: creates the embedded (or configured) databases
 * and fills them with demo data, unless they already hold some.
 */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.js";
import { analyticsAdapter, openDatabases, recordsAdapter } from "../databases.js";
import { terminalProgress } from "./progress.js";
import { isSeeded, seed } from "./seed.js";

try {
  const { values } = parseArgs({ options: { size: { type: "string" } }, strict: true });
  const config = loadConfig({ ...process.env, ...(values.size === undefined ? {} : { SEED_SIZE: values.size }) });
  const dbs = await openDatabases(recordsAdapter(config), analyticsAdapter(config));
  try {
    if (await isSeeded(dbs.db)) {
      console.log("the CRM database already has data; nothing seeded (delete the data folder to start over)");
    } else {
      const started = performance.now();
      const report = await seed(dbs, { size: config.SEED_SIZE, progress: terminalProgress() });
      console.log(`seeded (${config.SEED_SIZE}) in ${((performance.now() - started) / 1000).toFixed(1)} s:`, report);
    }
  } finally {
    await dbs.close();
  }
} catch (e) {
  console.error(e instanceof ConfigError || (e instanceof TypeError && "code" in e) ? (e as Error).message : e);
  process.exitCode = 1;
}
