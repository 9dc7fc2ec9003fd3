import { ConfigurationError } from "../errors.js";
import { PlannedReads } from "../insight/advise.js";
import { memoryStore } from "../insight/memory-store.js";
import { NPlusOneDetector } from "../insight/n-plus-one.js";
import { QueryCache } from "../insight/query-cache.js";
import { queryLogger } from "../insight/query-log.js";
import { StatementStats } from "../insight/statement-stats.js";
import { type StatsView, statsView } from "../insight/stats-view.js";
import type { ConnectOptions } from "./connect-options.js";
import type { Runner } from "./runner.js";

/** What a database watches its statements with: metrics, planned reads, the N+1 detector, the query cache. */
export interface Instrumentation {
  readonly stats: StatsView;
  /** The last plan input of each read shape (for `db.advise`); none when metrics are off. */
  readonly planned: PlannedReads | undefined;
  readonly detector: NPlusOneDetector;
  readonly cache: QueryCache;
}

/**
 * Sets up the instrumentation of `db` from its connect options, listening on its emitter (the
 * metrics first, then the query log); checks the cache store. Once per database, at connect.
 */
export function instrumentation(db: Runner, options: ConnectOptions): Instrumentation {
  const { emitter, models } = db;
  const metrics = options.metrics ?? true;
  const stats =
    metrics === false ? undefined : new StatementStats(typeof metrics === "object" ? metrics.maxShapes : undefined);
  if (stats) emitter.on("query", (e) => stats.record(e));
  const planned = stats ? new PlannedReads(stats.maxShapes) : undefined;
  const view = statsView(stats, () => {
    throw new ConfigurationError(
      "statement metrics are off for this database: connect without { metrics: false } to use db.stats()",
    );
  });
  emitter.on("query", queryLogger());
  const detector = new NPlusOneDetector(db, models, (r) => emitter.emit("nPlusOne", r), options.nPlusOne);
  const store = options.cache?.store ?? memoryStore();
  if (typeof store?.get !== "function" || typeof store.set !== "function" || typeof store.invalidate !== "function") {
    throw new ConfigurationError(
      "connect({ cache: { store } }) takes a store with get, set and invalidate (see memoryStore and redisStore)",
    );
  }
  const cache = new QueryCache(store, models, (e) => emitter.emit("cache", e));
  return { stats: view, planned, detector, cache };
}
