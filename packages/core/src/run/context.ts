import { AsyncLocalStorage } from "node:async_hooks";
import type { DriverConnection } from "./adapter.js";

/** The transaction an async call chain runs in. */
export interface TxState {
  readonly conn: DriverConnection;
  readonly owner: object;
  depth: number;
  savepoints: number;
  /** Set when a statement failed and the transaction can only roll back. */
  failed?: boolean;
}

/** Who the call chain runs as. */
export interface SessionState {
  readonly session: unknown;
  readonly sudo: boolean;
}

/** Transaction per async call chain (one store for all databases; `owner` tells them apart). */
export const txStore = new AsyncLocalStorage<TxState>();

/** Session per async call chain. */
export const sessionStore = new AsyncLocalStorage<SessionState>();
