export type { ConformanceTarget, FaultLimits } from "./target.js";
export { FaultProxy } from "./fault-proxy.js";
export type { FaultMode } from "./fault-proxy.js";
export { makeModels, scalarFields } from "./models.js";
export type { TestModels } from "./models.js";
export { suite } from "./harness.js";
export type { SuiteContext } from "./harness.js";
export { runConformance, suites } from "./suites/index.js";
export { columnsOf, fieldOf, representativeNodes, sqlModels, whereOf } from "./sql-nodes.js";
