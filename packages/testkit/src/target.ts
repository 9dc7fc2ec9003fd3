import type { Adapter } from "@dotorm/core";

/** Time limits (the adapters' option names, milliseconds) and pool size a fault test opens an adapter with. */
export interface FaultLimits {
  readonly queryTimeout: number;
  readonly acquireTimeout: number;
  readonly statementTimeout: number;
  readonly max: number;
}

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
  /** The server's TCP address, for a fault proxy in front of it (servers reached over TCP only). */
  readonly address?: { readonly host: string; readonly port: number };
  /** Opens an adapter on `namespace` (made by `open`) through 127.0.0.1:`port` (a fault proxy), with `limits`. */
  openVia?(namespace: string, port: number, limits: FaultLimits): Adapter | Promise<Adapter>;
  /** A statement that runs `seconds` on this engine, for statement-timeout tests. */
  sleepStatement?(seconds: number): string;
}
