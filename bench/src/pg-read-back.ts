/**
 * Reading rows back alone on PostgreSQL, as `mysql-read-back` does on MariaDB: the rows of the nested
 * chat, the page of 100 with creators and a get by id, recorded once from the bench schema, turned
 * into records again and again by the compiler's nesting strategy (`compiler.read`: hydration, nothing
 * else). `pnpm --filter @dotorm/bench pg-read-back`; prints the median and the five rounds, µs of CPU
 * per read. `READ_BACK_ROOT=/work/main` reads with another worktree's builds (an A/B against main).
 * Run `cpu --setup` once first (it seeds the schema).
 */
import { benchUrl } from "./pg-setup.js";
import { benchModelsOn } from "./models-on.js";
import { timeReadBack } from "./read-back.js";

const root = process.env.READ_BACK_ROOT;
const core = (await import(
  root ? `${root}/packages/core/dist/index.js` : "@dotorm/core"
)) as typeof import("@dotorm/core");
const { postgres } = (await import(
  root ? `${root}/packages/postgres/dist/index.js` : "@dotorm/postgres"
)) as typeof import("@dotorm/postgres");
const { connect } = core;
const { User, Chat, ChatMessage } = benchModelsOn(core);
const db = await connect(postgres({ url: benchUrl, max: 2 }), { models: [User, Chat, ChatMessage] });
await timeReadBack(db, Chat);
