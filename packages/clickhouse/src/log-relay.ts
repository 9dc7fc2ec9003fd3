import type { Logger } from "@clickhouse/client";
import type { LogEvent, LogLevel } from "@dotorm/core";

/** Levels of {@link LogRelay}, as `@clickhouse/client` numbers them (`off` logs nothing). */
export const clickhouseLogLevels = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, off: 127 } as const;

/**
 * Takes what `@clickhouse/client` logs (by default straight to the console: a multi-line dump for
 * every failed request) and hands it to the database's `"log"` listeners; dropped until one is set.
 *
 * @example
 * const relay = new LogRelay();
 * createClient({ url, log: { LoggerClass: relay.loggerClass(), level: clickhouseLogLevels.warn } });
 * relay.sink = (e) => db.emit("log", e);
 */
export class LogRelay {
  sink: ((event: LogEvent) => void) | undefined;

  private emit(
    level: LogLevel,
    params: { module?: string; message: string; args?: Record<string, unknown>; err?: Error },
  ): void {
    const sink = this.sink;
    if (!sink) return;
    sink({
      level,
      message: params.message,
      source: "@clickhouse/client",
      ...(params.module ? { module: params.module } : {}),
      ...(params.args ? { args: params.args } : {}),
      ...(params.err ? { error: params.err } : {}),
    });
  }

  /** A Logger class for the client's `log.LoggerClass` (it takes no arguments, so it closes over this relay). */
  loggerClass(): new () => Logger {
    const relay = this;
    return class RelayedLogger implements Logger {
      trace(p: Parameters<Logger["trace"]>[0]) {
        relay.emit("trace", p);
      }
      debug(p: Parameters<Logger["debug"]>[0]) {
        relay.emit("debug", p);
      }
      info(p: Parameters<Logger["info"]>[0]) {
        relay.emit("info", p);
      }
      warn(p: Parameters<Logger["warn"]>[0]) {
        relay.emit("warn", p);
      }
      error(p: Parameters<Logger["error"]>[0]) {
        relay.emit("error", p);
      }
    };
  }
}
