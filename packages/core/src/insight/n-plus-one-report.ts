/** What the N+1 detector reports (the `nPlusOne` event, the log line, `NPlusOneError`). */
export interface NPlusOneReport {
  /** The table read again and again. */
  readonly model?: string;
  readonly operation?: string;
  /** The statement shape sent `count` times with different values. */
  readonly sql: string;
  readonly count: number;
  /** The first stack frame outside DotORM: the user's code that issued the reads, e.g. "src/app.ts:12:17". */
  readonly callSite?: string;
  /** How to read it in one statement, e.g. `use nested: { messages: [...] } on the chats read`. */
  readonly suggestion: string;
  /** All of the above as one line. */
  readonly message: string;
}
