import { runConformance } from "@dotorm/testkit";
import { chdb } from "./targets.js";

await runConformance(chdb);
