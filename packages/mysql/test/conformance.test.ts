import { runConformance } from "@dotorm/testkit";
import { mariadb } from "./targets.js";

await runConformance(mariadb);
