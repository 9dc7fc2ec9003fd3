import type { Driver } from "@dotorm/core";

/**
 * How far a PostgreSQL standby is behind, in ms: 0 when it has replayed all it received, the time
 * since its last replayed transaction otherwise, `undefined` when it is not a standby receiving WAL
 * (promoted, or streaming stopped with nothing received).
 * https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-RECOVERY-INFO-TABLE
 */
export async function postgresReplicaLag(driver: Driver): Promise<number | undefined> {
  const { rows } = await driver.execute({
    sql:
      "SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() IS NULL THEN NULL " +
      "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 " +
      "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) * 1000 END AS lag_ms",
    params: [],
  });
  const lag = rows[0]?.lag_ms;
  return lag === null || lag === undefined ? undefined : Math.max(0, Number(lag));
}
