// The statement event query insight listens to (metrics, the debug log). Declared here, below
// `run/`, which emits it once per statement sent.

/** What `db.on("query")` listeners receive, once per statement sent. */
export interface QueryEvent {
  readonly sql: string;
  readonly params: readonly unknown[] | Readonly<Record<string, unknown>>;
  readonly durationMs: number;
  readonly rowCount: number;
  readonly model?: string;
  readonly operation?: string;
  /** Set when the statement failed (already mapped to a DotORM error). */
  readonly error?: Error;
}
