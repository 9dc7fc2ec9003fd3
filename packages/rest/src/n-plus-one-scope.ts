import { type Database, type NPlusOneOptions, checkNPlusOne } from "@dotorm/core";
import type { MiddlewareHandler } from "hono";

/**
 * Hono middleware running each request as one `db.scope`, so the N+1 detector watches every
 * request (`crud` adds it unless `nPlusOne: false`). Use it on your own routes too.
 *
 * @example
 * app.use("/api/*", nPlusOneScope(db, { mode: process.env.NODE_ENV === "test" ? "throw" : "warn" }));
 */
export function nPlusOneScope(db: Database, options?: NPlusOneOptions): MiddlewareHandler {
  const checked = checkNPlusOne(options, "nPlusOneScope(db, options)");
  return (_c, next) => db.scope(() => next(), checked);
}
