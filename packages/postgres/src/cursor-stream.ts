import type { CompiledQuery, DriverConnection, ExecOptions, ExecResult } from "@dotorm/core";

let cursors = 0;

/**
 * Streams a SELECT through a server-side cursor (DECLARE / FETCH n / CLOSE), so only one batch is
 * in memory at a time. Inside the caller's transaction when `conn` is given; otherwise on its own
 * connection in a transaction of its own (cursors live inside transactions).
 * https://www.postgresql.org/docs/current/sql-declare.html
 */
export async function* cursorStream(
  query: CompiledQuery,
  batchSize: number,
  conn: Pick<DriverConnection, "execute"> | undefined,
  acquire: () => Promise<DriverConnection>,
  options?: ExecOptions,
): AsyncGenerator<readonly Record<string, unknown>[]> {
  const own = conn ? undefined : await acquire();
  const c = (conn ?? own) as Pick<DriverConnection, "execute">;
  const run = (sql: string, params: CompiledQuery["params"] = []): Promise<ExecResult> =>
    c.execute({ sql, params }, options);
  const name = `dotorm_cursor_${++cursors}`;
  let finished = false;
  try {
    if (own) await run("BEGIN");
    await run(`DECLARE ${name} NO SCROLL CURSOR FOR ${query.sql}`, query.params);
    for (;;) {
      const { rows } = await run(`FETCH ${batchSize} FROM ${name}`);
      if (rows.length > 0) yield rows;
      if (rows.length < batchSize) break;
    }
    await run(`CLOSE ${name}`);
    if (own) await run("COMMIT");
    finished = true;
  } finally {
    if (!finished) {
      // the consumer stopped early or a statement failed: drop the cursor (and our transaction)
      await (own ? run("ROLLBACK") : run(`CLOSE ${name}`)).catch(() => undefined);
    }
    own?.release(!finished);
  }
}
