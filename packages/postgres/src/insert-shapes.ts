/**
 * The SQL text of compiled INSERT statements, per statement shape, at most `max` of them (the
 * oldest shape is dropped first). A create compiles the same few shapes over and over; taking the
 * text from here skips rendering it, and hands later steps (the prepared statement's name, the
 * statement metrics, both keyed on the SQL text) the same string each time, whose hash V8 keeps.
 *
 * The key is everything the text depends on: see {@link insertShapeKey}.
 */
export class InsertShapes {
  private readonly shapes = new Map<string, string>();

  constructor(readonly max = 500) {}

  /** The SQL text of the shape `key`, if compiled before. */
  get(key: string): string | undefined {
    return this.shapes.get(key);
  }

  /** Remembers the SQL text of a shape, dropping the oldest shape past `max`. */
  set(key: string, sql: string): void {
    if (this.shapes.size >= this.max && !this.shapes.has(key)) {
      const oldest = this.shapes.keys().next().value;
      if (oldest !== undefined) this.shapes.delete(oldest);
    }
    this.shapes.set(key, sql);
  }

  /** How many shapes are held. */
  get size(): number {
    return this.shapes.size;
  }
}

/**
 * The shape of a plain INSERT as PostgreSQL's compiler renders it: the table, whether it returns
 * ids, one row (`VALUES ($1, ...)`) or several (`unnest`, one array per column), and per column its
 * name and, for several rows, its array type. Identifiers are plain (`[A-Za-z0-9_]`, checked when
 * models are built), so the separators cannot occur in them.
 */
export function insertShapeKey(
  table: string,
  returning: boolean,
  columns: readonly { readonly name: string }[],
  arrayTypes: readonly string[] | undefined,
): string {
  // several rows are told from one by the array types (only they have them)
  let key = `${returning ? "r" : "-"}:${table}`;
  for (let i = 0; i < columns.length; i++) {
    key += `,${(columns[i] as { name: string }).name}`;
    if (arrayTypes) key += `:${arrayTypes[i]}`;
  }
  return key;
}
