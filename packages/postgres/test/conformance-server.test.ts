import { runConformance } from "@dotorm/testkit";
import { pgServer } from "./targets.js";

await runConformance(pgServer);
