export { defineConfig } from "./config.js";
export type { AdapterEnv, DotormConfig } from "./config.js";
export { runCli } from "./program.js";
