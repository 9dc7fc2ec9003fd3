import type { AccessChecker } from "../access/access-checker.js";
import type { CacheStore } from "../insight/cache-store.js";
import type { NPlusOneOptions } from "../insight/n-plus-one.js";
import type { AnyModel } from "../model/model-meta.js";
import type { LogEvent } from "./events.js";

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** The models this database serves; their static methods run here. */
  models: readonly AnyModel[];
  /** The access-control hook (see `AccessChecker`). */
  access?: AccessChecker<any>;
  /**
   * Per-shape statement metrics behind `db.stats()` (default on; `false` turns them off, leaving
   * nothing on the statement path). `maxShapes` bounds the shapes kept (default 1000).
   */
  metrics?: boolean | { maxShapes?: number };
  /** Defaults of the N+1 detector of `db.scope` (threshold 5, mode "warn"). */
  nPlusOne?: NPlusOneOptions;
  /**
   * Where the query cache (`qs.cache({ ttl })`, the model option `cache`) keeps results: default an
   * in-process LRU (`memoryStore()`); `redisStore(...)` shares them between processes.
   */
  cache?: { store?: CacheStore };
  /**
   * Check the connection before resolving (default true): one cheap round trip, within the
   * adapter's connect or acquire timeout, so a wrong port, database or password fails here with a
   * `ConnectionError` saying what to fix, not at the first query. `false` connects lazily.
   */
  verify?: boolean;
  /**
   * A `"log"` listener added before the connection is checked, so what the driver library logs
   * while connecting is seen too (the same as `db.on("log", listener)` afterwards).
   */
  log?: (event: LogEvent) => void;
  /**
   * Bind the models' static methods to this database (default true). A model still bound to
   * another open database is refused with a `ConfigurationError`; `false` leaves the statics where
   * they are and serves the models through `db.model(M)` only: a second database for the same models.
   *
   * @example
   * const pg = await connect(postgres({ url }), { models: [Event] });                     // Event.* runs on pg
   * const ch = await connect(clickhouse({ url: chUrl }), { models: [Event], bind: false });
   * await ch.model(Event).createMany(await Event.search({ limit: 1000 }));
   */
  bind?: boolean;
}
