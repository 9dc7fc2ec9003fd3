/**
 * Reading rows back alone (issue 18): the rows of the nested chat, the page of 100 with creators and
 * a get by id, recorded once from MariaDB, turned into records again and again by the compiler's
 * nesting strategy (`compiler.read`: hydration, nothing else). `pnpm --filter @dotorm/bench
 * mysql-read-back`; prints the median and the five rounds, µs of CPU per read. Run `mysql` once first
 * (it seeds `dotorm_bench`).
 */
import { connect } from "@dotorm/core";
import { mysql } from "@dotorm/mysql";
import { Chat, models } from "./models.js";
import { benchUrl } from "./mysql-setup.js";
import { timeReadBack } from "./read-back.js";
const db = await connect(mysql({ url: benchUrl, max: 2 }), { models });
await timeReadBack(db, Chat);
