import { transactionPromiseBudget } from "@dotorm/testkit";
import { pgServer } from "./targets.js";

// the chat and 3 messages of the bench made 45 before the driver's callback form; raw `pg` makes 17
transactionPromiseBudget(pgServer, "core_tx_promises", 20);
