/**
 * A prepared statement executed without asking the server to describe its rows again: pg's own
 * `Query` sends Describe on every execution and builds the row parsers from the RowDescription that
 * comes back; a `NamedStatement` does that once per statement and connection, keeps the
 * {@link RowReader} in the connection's {@link PreparedStatements}, and sends Bind / Execute / Sync
 * afterwards. It is a pg `Submittable` (the interface pg-cursor uses), so pg's client still queues,
 * writes and reads.
 *
 * Safe because PostgreSQL itself refuses to run a prepared statement whose result columns changed
 * since it was parsed (SQLSTATE 0A000, "cached plan must not change result type"): a kept reader
 * always matches the rows it reads. A statement that fails that way is forgotten, so the next call
 * prepares (and describes) it afresh.
 */
import type { ExecCallback } from "@dotorm/core";
import type pg from "pg";
import pgUtils from "pg/lib/utils.js";
import { resultChanged } from "./map-pg-error.js";
import type { PreparedStatements, RowReader } from "./prepared-statements.js";
import { typeParsers } from "./type-parsers.js";

/** What of pg's `Connection` a submittable writes with (pg 8.11 and later). */
interface PgConnection {
  parsedStatements: Record<string, string>;
  submittedNamedStatements?: Record<string, string>;
  stream: { cork?(): void; uncork?(): void };
  parse(config: { text: string; name: string }): void;
  bind(config: { statement: string; values: unknown[] }): void;
  describe(config: { type: "P"; name: string }): void;
  execute(config: object): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

/** A statement that returns no rows (INSERT without RETURNING, UPDATE, DELETE): described once too. */
const NO_ROWS: RowReader = { names: [], parsers: [], empty: {} };

/** The reader of a RowDescription: each column's name and its type's text parser. */
export function rowReader(fields: readonly { name: string; dataTypeID: number }[]): RowReader {
  const empty: Record<string, null> = Object.create(null);
  for (const f of fields) empty[f.name] = null;
  return {
    names: fields.map((f) => f.name),
    parsers: fields.map((f) => typeParsers.getTypeParser(f.dataTypeID, "text")),
    // a plain object with every column (rows are spread from it: one hidden class per statement)
    empty: { ...empty },
  };
}

/** The row count of a CommandComplete tag ("SELECT 5", "INSERT 0 1", "UPDATE 3"), 0 when it has none. */
function countOf(tag: string): number {
  const n = Number(tag.slice(tag.lastIndexOf(" ") + 1));
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/**
 * One execution of a named statement. `done` is called once: with the rows and the row count after
 * ReadyForQuery, or with the error (the server's, or a value that cannot be sent).
 *
 * @example
 * client.query(new NamedStatement("SELECT id FROM t WHERE id = $1", [1], "dotorm_0", statements, done));
 */
export class NamedStatement implements pg.Submittable {
  private reader: RowReader | undefined;
  private described = false;
  private readonly rows: Record<string, unknown>[] = [];
  private affected = 0;
  private failed: unknown;
  private settled = false;
  /** Whether the next CommandComplete is the BEGIN's, not the statement's. */
  private beginning: boolean;

  constructor(
    /** Read by pg's client: it records the statement as parsed under this name and text. */
    readonly text: string,
    private readonly values: readonly unknown[],
    readonly name: string,
    private readonly statements: PreparedStatements,
    private readonly done: ExecCallback,
    /**
     * A transaction's BEGIN to run first, in the same round trip (Parse / Bind / Execute of it, then
     * the statement's, then one Sync). Only for a statement the connection has parsed: pg records
     * every ParseComplete of a submittable under the submittable's name, so a failed Parse of the
     * statement would be recorded as parsed.
     */
    private readonly begin?: string,
  ) {
    this.beginning = begin !== undefined;
  }

  submit(connection: pg.Connection): Error | null {
    const c = connection as unknown as PgConnection;
    const previous = c.parsedStatements[this.name] ?? c.submittedNamedStatements?.[this.name];
    if (previous !== undefined && previous !== this.text)
      return new Error(`the prepared statement ${this.name} was parsed for another SQL text on this connection`);
    let values: unknown[];
    try {
      // before anything is written: a value that cannot be sent fails the call and leaves the
      // connection as it was
      values = this.values.map((v) => pgUtils.prepareValue(v));
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
    if (previous === this.text) this.reader = this.statements.reader(this.name);
    if (this.begin !== undefined && previous !== this.text)
      return new Error(`${this.name} must be parsed on this connection before it can go with a BEGIN`);
    c.stream.cork?.();
    try {
      if (this.begin !== undefined) {
        c.parse({ text: this.begin, name: "" });
        c.bind({ statement: "", values: [] });
        c.execute({});
      }
      if (previous === undefined) {
        c.parse({ text: this.text, name: this.name });
        if (c.submittedNamedStatements) c.submittedNamedStatements[this.name] = this.text;
      }
      c.bind({ statement: this.name, values });
      if (this.reader === undefined) {
        this.described = true;
        c.describe({ type: "P", name: "" });
      }
      c.execute({});
      c.sync();
    } finally {
      c.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(msg: { fields: { name: string; dataTypeID: number }[] }): void {
    this.reader = rowReader(msg.fields);
    this.statements.describe(this.name, this.reader);
  }

  handleDataRow(msg: { fields: (string | null)[] }): void {
    if (this.failed !== undefined) return;
    const reader = this.reader;
    const raw = msg.fields;
    if (reader === undefined || raw.length !== reader.names.length) {
      // a server that parsed the statement afresh (a pooler's other connection, after a migration):
      // the next call prepares and describes it again
      this.statements.forget(this.text);
      this.failed = new Error(
        `PostgreSQL sent rows that do not match the columns it described for ${this.name} (the table changed?); the statement is prepared again on its next call: retry`,
      );
      return;
    }
    const { names, parsers } = reader;
    const row: Record<string, unknown> = { ...reader.empty };
    try {
      for (let i = 0; i < raw.length; i++) {
        const value = raw[i] as string | null;
        if (value !== null) row[names[i] as string] = (parsers[i] as (raw: string) => unknown)(value);
      }
    } catch (e) {
      this.failed = e;
      return;
    }
    this.rows.push(row);
  }

  handleCommandComplete(msg: { text: string }): void {
    if (this.beginning) {
      this.beginning = false;
      return;
    }
    this.affected = countOf(msg.text);
  }

  handleReadyForQuery(): void {
    if (this.failed !== undefined) {
      this.settle(this.failed);
      return;
    }
    if (this.described && this.reader === undefined) this.statements.describe(this.name, NO_ROWS);
    this.settle(null);
  }

  handleError(error: unknown): void {
    // prepared again, under a new name, by the next call of this shape on this connection
    if (resultChanged(error)) this.statements.forget(this.text);
    this.settle(error);
  }

  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(connection: pg.Connection): void {
    (connection as unknown as PgConnection).sendCopyFail("DotORM does not send COPY data in a prepared statement");
  }
  handleCopyData(): void {}

  private settle(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    if (error !== null) this.done(error);
    else this.done(null, { rows: this.rows, affected: this.affected });
  }
}
