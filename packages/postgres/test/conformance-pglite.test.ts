import { runConformance } from "@dotorm/testkit";
import { pglite } from "./targets.js";

await runConformance(pglite);
