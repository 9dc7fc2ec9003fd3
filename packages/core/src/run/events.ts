import type { CacheEvent } from "../insight/query-cache.js";
import type { NPlusOneReport } from "../insight/n-plus-one-report.js";
import type { ExplainEvent } from "../insight/explain-statement.js";
import type { AdviseEvent } from "../insight/advise.js";
import type { QueryEvent } from "../insight/query-event.js";

export type { QueryEvent } from "../insight/query-event.js";

/** How much a {@link LogEvent} matters, from the driver library's own scale. */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

/**
 * What `db.on("log")` listeners receive: a message the driver library would otherwise have printed
 * to the console (`@clickhouse/client` logs its failed requests). Nothing is printed by DotORM:
 * without a listener these are dropped.
 *
 * @example
 * db.on("log", (e) => { if (e.level === "error") logger.error(e.message, e.error) });
 */
export interface LogEvent {
  readonly level: LogLevel;
  readonly message: string;
  /** The library that logged it, e.g. "@clickhouse/client". */
  readonly source: string;
  /** The library's own part, e.g. "HTTP Adapter". */
  readonly module?: string;
  readonly args?: Readonly<Record<string, unknown>>;
  readonly error?: Error;
}

/** Events a database emits. */
export interface DatabaseEvents {
  query: QueryEvent;
  /** A read shape repeated with different values inside `db.scope` (see the N+1 detector). */
  nPlusOne: NPlusOneReport;
  /** The query cache served, stored, bypassed or dropped entries. */
  cache: CacheEvent;
  /** A statement was explained (`qs.explain({ ... })`, `db.explain`, `db.advise`), with its recommendations. */
  explain: ExplainEvent;
  /** `db.advise()` ranked its recommendations. */
  advise: AdviseEvent;
  log: LogEvent;
}

/** A tiny typed emitter; listeners that throw do not break the query. */
export class Emitter {
  private readonly listeners = new Map<keyof DatabaseEvents, Set<(e: never) => void>>();

  on<K extends keyof DatabaseEvents>(event: K, listener: (e: DatabaseEvents[K]) => void): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (e: never) => void);
  }

  off<K extends keyof DatabaseEvents>(event: K, listener: (e: DatabaseEvents[K]) => void): void {
    this.listeners.get(event)?.delete(listener as (e: never) => void);
  }

  has(event: keyof DatabaseEvents): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit<K extends keyof DatabaseEvents>(event: K, payload: DatabaseEvents[K]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        (l as (e: DatabaseEvents[K]) => void)(payload);
      } catch {
        // a broken listener must not turn a successful query into a failure
      }
    }
  }
}
