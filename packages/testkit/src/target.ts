import type { Adapter } from "@dotorm/core";

/**
 * A database the conformance suite runs against. `open` returns an adapter on a fresh, empty
 * namespace (a schema, a database, or an in-memory engine) so suites can run side by side.
 */
export interface ConformanceTarget {
  /** Name shown in test titles, e.g. "postgres", "pglite", "mariadb", "chdb". */
  readonly name: string;
  /**
   * False when the target was not asked for (e.g. an optional server whose URL is not set): its
   * suites are then skipped loudly even under CI. An asked-for target that is down fails under CI.
   */
  readonly configured?: boolean;
  /** Whether the server answers; embedded targets always do. */
  available(): Promise<boolean>;
  open(namespace: string): Promise<Adapter>;
  /** Removes what `open` created. */
  drop?(namespace: string): Promise<void>;
}
