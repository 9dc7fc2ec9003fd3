/** The claims table of leased ids (see {@link IdLease}): one row per claimed range. */
export const CLAIMS_TABLE = "_dotorm_id_claims";

const ident = (name: string) => `\`${name.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``;
const text = (value: string) => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/**
 * The statements of the claims table, on one server (chDB too) or on a cluster.
 *
 * On a cluster the table is a `ReplicatedMergeTree` under ONE Keeper path for every node (no
 * `{shard}` in it): all servers of all shards are replicas of the same claims, and these settings
 * make two of them unable to lease the same block:
 *
 * - Deduplication is decided in Keeper. An insert's block id (here its `insert_deduplication_token`,
 *   `dotorm-id-claim-<n>`) is created in Keeper atomically with the part, for the one table path,
 *   so of two inserts of claim `n` on any two servers exactly one is stored, cluster-wide
 *   (`replicated_deduplication_window` keeps the last 10,000 claims' tokens, for a week).
 * - `insert_quorum = 'auto'` with `insert_quorum_parallel = 0`: an insert returns only once a
 *   majority of the replicas hold it, one claim at a time (a concurrent one fails with
 *   UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE and its writer retries); `select_sequential_consistency = 1`
 *   on the reads: a replica answers only if it holds every quorum-written claim, else it refuses
 *   (REPLICA_IS_NOT_IN_QUORUM) and the read is retried. So a read sees every claim whose insert
 *   returned before it started, on whichever server it lands: the one property the lease's
 *   argument needs (id-lease.ts), which one server gives for free.
 *
 * Then the argument of the single server holds unchanged: a claim is won only by the writer that
 * reads back its own row alone under its number, and every later claim starts at or above the end
 * of the winner's range, because its head read saw the winner's row.
 *
 * @example
 * claimsSql({ cluster: "dotorm" }).create // "CREATE TABLE IF NOT EXISTS `_dotorm_id_claims` ON CLUSTER `dotorm` (...) ENGINE = ReplicatedMergeTree(...) ..."
 */
export function claimsSql(options: { cluster?: string } = {}) {
  const { cluster } = options;
  const table = ident(CLAIMS_TABLE);
  const columns = "(seq UInt64, lo UInt64, hi UInt64, owner String, at DateTime64(3, 'UTC') DEFAULT now64(3))";
  const create =
    cluster === undefined
      ? `CREATE TABLE IF NOT EXISTS ${table} ${columns} ENGINE = MergeTree ORDER BY seq SETTINGS non_replicated_deduplication_window = 10000`
      : `CREATE TABLE IF NOT EXISTS ${table} ON CLUSTER ${ident(cluster)} ${columns} ` +
        `ENGINE = ReplicatedMergeTree('/clickhouse/tables/dotorm_id_claims/{database}', '{shard}-{replica}') ORDER BY seq ` +
        "SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800";
  // settings in the statement, not the session: chDB turns per-request settings into session SETs
  const read = cluster === undefined ? "" : " SETTINGS select_sequential_consistency = 1";
  const quorum = cluster === undefined ? "" : ", insert_quorum = 'auto', insert_quorum_parallel = 0";
  return {
    create,
    head: `SELECT max(seq) AS seq, max(hi) AS hi, toUnixTimestamp64Milli(now64(3)) AS now FROM ${table}${read}`,
    read: (seq: number) => `SELECT seq, lo, hi, owner FROM ${table} WHERE seq = ${seq}${read}`,
    /** The token makes a second claim of the same number a no-op (the first one stays). */
    insert: (c: { seq: number; lo: number; hi: number; owner: string }) =>
      `INSERT INTO ${table} (seq, lo, hi, owner) SETTINGS insert_deduplicate = 1, insert_deduplication_token = 'dotorm-id-claim-${c.seq}', async_insert = 0${quorum} ` +
      `VALUES (${c.seq}, ${c.lo}, ${c.hi}, ${text(c.owner)})`,
  };
}

/**
 * Errors of a claim insert that only mean "not stored as the one claim of its number" (another
 * claim's quorum write in flight, or a quorum not reached in time): the read-back decides.
 */
export const LOST_INSERT = new Set(["UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE", "UNKNOWN_STATUS_OF_INSERT"]);

/** A read on a replica that lacks a quorum-written claim: retried (on this or another replica). */
export const RETRY_READ = new Set(["REPLICA_IS_NOT_IN_QUORUM"]);
