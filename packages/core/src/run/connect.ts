import { ConfigurationError } from "../errors.js";
import type { Adapter } from "./adapter.js";
import { type OptionCheck, checkOptions, option } from "./check-options.js";
import { type ConnectOptions, Database } from "./database.js";
import { assertUnbound } from "../model/binding.js";
import type { ModelMeta } from "../model/model-meta.js";

/** What each option of {@link connect} accepts. */
const connectOptions: Record<string, OptionCheck> = {
  models: (v) => (Array.isArray(v) ? undefined : "must be a list of model classes, e.g. { models: [User, Chat] }"),
  access: (v) =>
    typeof v === "object" && v !== null && typeof (v as { check?: unknown }).check === "function"
      ? undefined
      : "must be an AccessChecker (an object with a check function)",
  verify: option.boolean(),
  bind: option.boolean(),
  log: (v) => (typeof v === "function" ? undefined : "must be a listener function"),
  metrics: (v) =>
    typeof v === "boolean" || (typeof v === "object" && v !== null && !Array.isArray(v))
      ? undefined
      : "must be true, false or { maxShapes }",
  nPlusOne: option.record(),
  cache: option.record(),
};

/**
 * Connects models to a database through an adapter.
 *
 * @example
 * import { connect } from "@dotorm/core";
 * import { postgres } from "@dotorm/postgres";
 * const db = await connect(postgres({ url: process.env.DATABASE_URL }), { models: [User, Chat] });
 * // a wrong port, database or password rejects here with a ConnectionError (verify: false defers it)
 */
export async function connect(adapter: Adapter | Promise<Adapter>, options: ConnectOptions): Promise<Database> {
  checkOptions("connect", options, connectOptions);
  if (options?.models === undefined)
    throw new ConfigurationError("connect() needs the models it serves: connect(adapter, { models: [User, Chat] })");
  // a model still bound to another open database is refused before anything is opened (bind: false
  // and db.model(M) serve it from a second database)
  const bind = options.bind !== false;
  if (bind) assertUnbound(options.models.flatMap((m) => (m as { meta?: ModelMeta } | null)?.meta ?? []));
  // the models are bound only once the check passed: a failed connect leaves them on the database
  // they were bound to before, if any
  const db = new Database(await adapter, options, false);
  try {
    if (options.verify !== false) await db.verify();
    if (bind) db.bindModels();
  } catch (e) {
    // close the pool (or engine) it opened, without waiting: a connection attempt still pending
    // (a server that never answers) ends by itself within the driver's connect timeout
    db.close().catch(() => undefined);
    throw e;
  }
  return db;
}
