import { transactionPromiseBudget } from "@dotorm/testkit";
import { mariadb } from "./targets.js";

// without `executeWith` over mysql2's callback API the same transaction made 21 promises (17 with it)
transactionPromiseBudget(mariadb, "my_tx_promises", 18);
