import { AsyncLocalStorage } from "node:async_hooks";
import type { TxFrame } from "./tx-line.js";

/** Who the call chain runs as. */
export interface SessionState {
  readonly session: unknown;
  readonly sudo: boolean;
}

/**
 * The transaction level an async call chain runs in (one store for all databases; the frame's
 * `line.owner` tells them apart). Statements are bound to it: see {@link TxFrame}.
 */
export const txStore = new AsyncLocalStorage<TxFrame>();

/** Session per async call chain. */
export const sessionStore = new AsyncLocalStorage<SessionState>();

/** A time by which every statement of a call chain must have answered, and the limit that set it. */
export interface Deadline {
  /** Epoch milliseconds (`Date.now()` clock). */
  readonly at: number;
  /** Names the limit in errors, e.g. "db.withTimeout(2000)". */
  readonly label: string;
}

/** The deadline of the call chain, from `db.withTimeout` or a transaction's `timeout`. */
export const deadlineStore = new AsyncLocalStorage<Deadline>();

/** The earlier of the current deadline and one `ms` from now. */
export function deadlineIn(ms: number, label: string): Deadline {
  const current = deadlineStore.getStore();
  const at = Date.now() + ms;
  return current && current.at <= at ? current : { at, label };
}

/** Set inside `db.primary(fn)` and for calls given `{ replica: false }`: reads stay on the primary. */
export const primaryStore = new AsyncLocalStorage<true>();

/** Operations that only read and may be answered by a read replica when outside a transaction. */
const replicaOperations = new Set(["get", "search", "count", "exists", "paginate", "aggregate", "stream", "explain"]);

/** Whether a statement of `operation`, sent outside a transaction now, may go to a read replica. */
export function replicaReads(operation: string | undefined): boolean {
  return operation !== undefined && replicaOperations.has(operation) && primaryStore.getStore() === undefined;
}
