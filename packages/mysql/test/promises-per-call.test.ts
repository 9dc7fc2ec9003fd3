import { transactionPromiseBudget } from "@dotorm/testkit";
import { mariadb } from "./targets.js";

// without `executeWith` over mysql2's callback API the same transaction made 21 promises (17 with it,
// 12 once the INSERT's ids are read in its own reaction and the connection and BEGIN settle one promise:
// raw mysql2 makes 12); a get or a search outside a transaction made 5 before the driver's own callback
// form, 4 with it, 3 once search and get read back in one reaction, no async layer; an update or a delete
// by id made 18 before they too went without an async layer and the cache dropped entries in the
// statement's reaction, 2 since
transactionPromiseBudget(mariadb, "my_tx_promises", 12, 3);
