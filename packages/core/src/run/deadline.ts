import { ConfigurationError, ConnectionError } from "../errors.js";
import type { ExecOptions } from "./adapter.js";

/** The client-side limit of one call: how long it may take, and the limit's name for the error. */
export interface CallLimit {
  readonly ms: number;
  readonly label: string;
}

/**
 * The earlier of the driver's own `queryTimeout` (0: none) and the caller's deadline
 * (`db.withTimeout`, a transaction's `timeout`). Undefined when neither is set.
 *
 * @example
 * const limit = callLimit(options, 35_000); // { ms: 35000, label: "queryTimeout (35000 ms)" }
 */
export function callLimit(
  options: ExecOptions | undefined,
  queryTimeout: number,
  name = "queryTimeout",
): CallLimit | undefined {
  const own = queryTimeout > 0 ? ownLimit(name, queryTimeout) : undefined;
  if (options?.deadline === undefined) return own;
  const ms = Math.max(0, options.deadline - Date.now());
  return own && own.ms <= ms ? own : { ms, label: options.deadlineLabel ?? "the call's deadline" };
}

// A driver's own limit is the same object for every statement (asked once per statement sent).
const ownLimits = new Map<string, Map<number, CallLimit>>();

function ownLimit(name: string, ms: number): CallLimit {
  let byMs = ownLimits.get(name);
  if (!byMs) ownLimits.set(name, (byMs = new Map()));
  let limit = byMs.get(ms);
  if (!limit) byMs.set(ms, (limit = Object.freeze({ ms, label: `${name} (${ms} ms)` })));
  return limit;
}

/**
 * The error of a call that did not answer within `limit` (its connection was closed), as
 * {@link withinLimit} rejects with; for drivers that time their calls themselves.
 *
 * @example
 * const timer = setTimeout(() => { socket.destroy(); reject(limitPassed("PostgreSQL", limit)); }, limit.ms);
 */
export function limitPassed(database: string, limit: CallLimit): ConnectionError {
  return new ConnectionError(
    `${database} did not answer within ${limit.label}; the connection was closed (the database rolls back what was not committed). ` +
      "Raise the limit if the statement is legitimately slow, or check the network and the server",
  );
}

/**
 * Settles as `work` does, unless `limit` passes first: then `expire` runs (it must close the
 * connection, whose state is unknown) and the call rejects with a `ConnectionError` naming the limit.
 *
 * @example
 * return withinLimit(client.query(sql), callLimit(options, 35_000), "PostgreSQL", () => socket.destroy());
 */
export function withinLimit<T>(
  work: Promise<T>,
  limit: CallLimit | undefined,
  database: string,
  expire: () => void,
): Promise<T> {
  if (!limit) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        expire();
      } finally {
        reject(limitPassed(database, limit));
      }
    }, limit.ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Reads a time-limit option of an adapter: a non-negative integer of milliseconds (0 turns the
 * limit off), or `fallback` when absent.
 *
 * @example
 * const statementTimeout = limitOption("statementTimeout", options.statementTimeout, 30_000);
 */
export function limitOption(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ConfigurationError(
      `${name} must be a whole number of milliseconds, 0 for no limit; got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
