import createDebug from "debug";
import type { QueryEvent } from "./query-event.js";

/** `DEBUG=dotorm:query`: each statement with its time, rows and where it came from. */
const queryLog = createDebug("dotorm:query");
/** `DEBUG=dotorm:params`: the bound values too (off by default: they may hold personal data). */
const paramsLog = createDebug("dotorm:params");

/**
 * A "query" listener printing statements through the `debug` package (`DEBUG=dotorm:*`, or
 * `debug.enable("dotorm:*")` at run time); a disabled logger costs one flag check per statement.
 *
 * @example
 * // DEBUG=dotorm:* node app.js
 * //   dotorm:query 0.412 ms 1 row chats.get select "id", "name" from "chats" where "id" = $1
 */
export function queryLogger(): (e: QueryEvent) => void {
  return (e) => {
    if (!queryLog.enabled && !paramsLog.enabled) return;
    const rows = `${e.rowCount} row${e.rowCount === 1 ? "" : "s"}`;
    const from = e.model || e.operation ? ` ${[e.model, e.operation].filter(Boolean).join(".")}` : "";
    const failed = e.error ? ` failed (${e.error.message})` : "";
    if (queryLog.enabled) queryLog("%s ms %s%s%s %s", e.durationMs.toFixed(3), rows, from, failed, e.sql);
    if (paramsLog.enabled) paramsLog("%o", e.params);
  };
}
