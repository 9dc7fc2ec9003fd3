import { LRUCache } from "lru-cache";
import type pg from "pg";

/** The part of pg's connection that remembers which named statements the server has parsed. */
interface PgConnectionState {
  parsedStatements: Record<string, string>;
  submittedNamedStatements?: Record<string, string>;
}

/**
 * How to read the rows of one prepared statement, from the RowDescription the server sent for it:
 * each column's name and its type's parser, and an object with every column set to null.
 */
export interface RowReader {
  readonly names: readonly string[];
  readonly parsers: readonly ((raw: string) => unknown)[];
  readonly empty: Readonly<Record<string, null>>;
}

const connectionOf = (client: pg.ClientBase) => (client as unknown as { connection?: PgConnectionState }).connection;

/**
 * The prepared statements of one connection (prepared statements are per session): a statement
 * name for each SQL text, at most `max` of them, the least recently used evicted. An evicted
 * statement is deallocated on that connection before its next statement (see {@link takeStale}),
 * and forgotten in pg's own cache, so neither the server nor the client grows without bound and a
 * shape used again after its eviction is prepared again under a new name.
 *
 * @example
 * const names = PreparedStatements.of(client, 2000);
 * const stale = names.takeStale(); // "DEALLOCATE ..." for evicted statements, or undefined
 * await client.query({ text: sql, values, name: names.name(sql) });
 */
export class PreparedStatements {
  private static readonly byClient = new WeakMap<pg.ClientBase, PreparedStatements>();
  private readonly names: LRUCache<string, string>;
  /** The row reader of each statement the server described on this connection. */
  private readonly readers = new Map<string, RowReader>();
  /** Evicted names not yet deallocated on the server. */
  private stale: string[] = [];
  private next = 0;

  private constructor(
    private readonly client: pg.ClientBase,
    max: number,
  ) {
    this.names = new LRUCache<string, string>({
      max,
      dispose: (name, _sql, reason) => {
        if (reason === "evict") this.stale.push(name);
        this.readers.delete(name);
      },
    });
  }

  /** The statements of `client`, created on its first use. */
  static of(client: pg.ClientBase, max: number): PreparedStatements {
    let own = PreparedStatements.byClient.get(client);
    if (!own) PreparedStatements.byClient.set(client, (own = new PreparedStatements(client, max)));
    return own;
  }

  /** The statement name for `sql` on this connection (a new one, unique on it, for a new shape). */
  name(sql: string): string {
    let name = this.names.get(sql);
    if (name === undefined) this.names.set(sql, (name = `dotorm_${(this.next++).toString(36)}`));
    return name;
  }

  /**
   * Whether the server parsed `sql` on this connection under its current name (pg records a
   * statement once the server confirmed its parse), and no deallocation is waiting.
   */
  parsed(sql: string): boolean {
    const name = this.names.peek(sql);
    return name !== undefined && this.stale.length === 0 && connectionOf(this.client)?.parsedStatements[name] === sql;
  }

  /** The kept row reader of the statement named `name`, if the server described it on this connection. */
  reader(name: string): RowReader | undefined {
    return this.readers.get(name);
  }

  /** Keeps the row reader of the statement named `name` (while the statement lives on this connection). */
  describe(name: string, reader: RowReader): void {
    this.readers.set(name, reader);
  }

  /**
   * Drops the statement for `sql` from this connection: it is deallocated before the next
   * statement and the shape gets a new name when used again. For a statement the server can no
   * longer run (its result columns changed: SQLSTATE 0A000).
   */
  forget(sql: string): void {
    const name = this.names.get(sql);
    if (name === undefined) return;
    this.names.delete(sql);
    this.stale.push(name);
  }

  /** How many statement names the connection holds. */
  get size(): number {
    return this.names.size;
  }

  /**
   * The DEALLOCATE statements for the evicted statements the server parsed (a shape whose parse
   * failed was never stored), or undefined when there are none. Call {@link settled} with the
   * outcome once it ran.
   */
  takeStale(): { sql: string; names: string[] } | undefined {
    if (this.stale.length === 0) return undefined;
    const parsed = connectionOf(this.client)?.parsedStatements ?? {};
    const names = this.stale.filter((n) => parsed[n] !== undefined);
    this.stale = [];
    if (names.length === 0) return undefined;
    return { sql: names.map((n) => `DEALLOCATE ${n}`).join("; "), names };
  }

  /**
   * After the DEALLOCATE ran: pg forgets the names (it would otherwise skip preparing them). When
   * it could not run because the transaction was aborted (SQLSTATE 25P02), the names are kept for
   * the next statement; any other failure forgets them too (they are never used again).
   */
  settled(names: readonly string[], error?: unknown): void {
    if ((error as { code?: string } | undefined)?.code === "25P02") {
      this.stale.push(...names);
      return;
    }
    const connection = connectionOf(this.client);
    for (const n of names) {
      this.readers.delete(n);
      if (connection) delete connection.parsedStatements[n];
      if (connection?.submittedNamedStatements) delete connection.submittedNamedStatements[n];
    }
  }
}
