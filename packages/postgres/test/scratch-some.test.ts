import { runConformance } from "@dotorm/testkit";
import { pgServer } from "./targets.js";

const only = (process.env.SUITES ?? "transactions,transactionBinding,insightCache").split(",");
await runConformance(pgServer, only as never);
