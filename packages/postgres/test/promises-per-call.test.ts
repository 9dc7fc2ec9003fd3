import { transactionPromiseBudget } from "@dotorm/testkit";
import { pgServer } from "./targets.js";

// the chat and 3 messages of the bench made 45 before the driver's callback form, 19 with it, 12 once
// the INSERT's ids are read in its own reaction and the connection and BEGIN settle one promise (raw
// `pg` makes 17); a get or a search outside a transaction made 7 before the pool's callback form, 4
// with it, 3 once search and get read back in one reaction, no async layer; an update or a delete by
// id made 18 before they too went without an async layer and the cache dropped entries in the
// statement's reaction, 2 since
transactionPromiseBudget(pgServer, "core_tx_promises", 12, 3);
