import { ConfigurationError, ConnectionError, DotormError } from "../errors.js";
import type { Adapter } from "./adapter.js";

/**
 * One cheap round trip (the driver's `verify`, else `SELECT 1`), bounded by the adapter's connect
 * or acquire timeout; fails with a `ConnectionError` (or a `ConfigurationError`) saying what to fix.
 *
 * @example
 * await verifyAdapter(postgres({ url })); // what db.verify() and connect() run
 */
export async function verifyAdapter(adapter: Adapter): Promise<void> {
  const { driver, dialect } = adapter;
  try {
    await (driver.verify ? driver.verify() : driver.execute({ sql: "SELECT 1", params: [] }));
  } catch (e) {
    const error = e instanceof DotormError ? e : driver.mapError(e);
    if (error instanceof ConnectionError || error instanceof ConfigurationError) throw error;
    throw new ConnectionError(`the ${dialect} database did not answer a check query: ${error.message}`, { cause: e });
  }
}
