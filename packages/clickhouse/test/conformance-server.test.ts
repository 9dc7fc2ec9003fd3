import { runConformance } from "@dotorm/testkit";
import { clickhouseServer } from "./targets.js";

await runConformance(clickhouseServer);
