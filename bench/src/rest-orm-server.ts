/**
 * The DotORM side of the REST bench: `crud(db)` from @dotorm/rest over the bench models on
 * PostgreSQL, served by @hono/node-server on 127.0.0.1 at a free port. Forked by rest.ts, which
 * passes the schema and pool size and reads the port from the first IPC message.
 */
import { connect } from "@dotorm/core";
import { postgres } from "@dotorm/postgres";
import { crud } from "@dotorm/rest";
import { serveForBench } from "./rest-server.js";
import { models } from "./models.js";
import { benchUrlFor } from "./pg-setup.js";

const [schema = "dotorm_bench_rest", pool = "10"] = process.argv.slice(2);
const db = await connect(postgres({ url: benchUrlFor(schema), max: Number(pool) }), { models });
serveForBench(crud(db).fetch, () => db.close());
