import { autoTimestamps } from "./auto-timestamps.js";
import { defaultOrdering } from "./default-ordering.js";
import { lifecycleHooks } from "./lifecycle-hooks.js";
import { relationOrdering } from "./relation-ordering.js";

/** The suites of the model options (auto timestamps, default and relation ordering, lifecycle hooks), run with every other suite. */
export const modelOptionSuites = { autoTimestamps, defaultOrdering, lifecycleHooks, relationOrdering } as const;
