import type { CompiledQuery, DriverConnection, ExecOptions, ExecResult } from "./adapter.js";

/**
 * Runs one statement on a connection of its own (`acquire` bounds the wait), giving the
 * connection back whatever happens: the `execute` of drivers whose pool hands out connections.
 *
 * @example
 * execute(q, options) { return executeAlone((o) => this.acquire(o), q, options); }
 */
export async function executeAlone(
  acquire: (options?: ExecOptions) => Promise<DriverConnection>,
  query: CompiledQuery,
  options?: ExecOptions,
): Promise<ExecResult> {
  const conn = await acquire(options);
  try {
    return await conn.execute(query, options);
  } finally {
    conn.release();
  }
}
