import type { Driver } from "@dotorm/core";

/**
 * How far a MySQL/MariaDB replica is behind, in ms (`Seconds_Behind_Source`, or
 * `Seconds_Behind_Master` on MariaDB and MySQL before 8.0.22; whole seconds), `undefined` when it
 * does not replicate (no replication configured, or its SQL thread stopped: the column is NULL).
 */
export async function mysqlReplicaLag(driver: Driver): Promise<number | undefined> {
  let rows: readonly Record<string, unknown>[];
  try {
    rows = (await driver.execute({ sql: "SHOW REPLICA STATUS", params: [] })).rows;
  } catch {
    rows = (await driver.execute({ sql: "SHOW SLAVE STATUS", params: [] })).rows;
  }
  const row = rows[0];
  if (!row) return undefined;
  const seconds = row.Seconds_Behind_Source ?? row.Seconds_Behind_Master;
  return seconds === null || seconds === undefined ? undefined : Number(seconds) * 1000;
}
