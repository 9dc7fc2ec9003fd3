import { autoTimestamps } from "./auto-timestamps.js";

/** The suites of the model options (auto timestamps, default and relation ordering, lifecycle hooks), run with every other suite. */
export const modelOptionSuites = { autoTimestamps } as const;
