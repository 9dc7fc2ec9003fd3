/** One step of the shapes' tree: the shapes that go on with a given column (or array type, or row count). */
interface ShapeNode {
  next?: Map<string, ShapeNode>;
  /** After the table, for dialects whose text depends on the row count (one tuple per row). */
  rows?: Map<number, ShapeNode>;
  /** The SQL text of the shape that ends here: [without RETURNING, with it]. */
  sql?: [string | undefined, string | undefined];
}

/**
 * The SQL text of compiled INSERT statements, per statement shape, for an adapter's compiler: at
 * most `max` shapes and `maxChars` characters of text (past either, every shape is dropped and
 * compiled again on its next use; a text longer than a quarter of `maxChars` is not held). A
 * create compiles the same few shapes over and over; taking the text from here skips rendering it,
 * and hands later steps (a prepared statement's cache, the statement metrics, both keyed on the SQL
 * text) the same string each time, whose hash V8 keeps.
 *
 * A shape is everything the text depends on: the table, whether it returns ids, per column its name
 * and, where the dialect sends one array per column (PostgreSQL's `unnest`), its array type, and
 * where it sends one tuple per row (MySQL), the row count. It is looked up as a path (the table, the
 * row count, then each column and type) in the tree of one row or of several (kept apart: a column
 * may be named like a type), so no key is built per call.
 *
 * @example
 * const shapes = new InsertShapes();
 * let sql = shapes.get("notes", true, node.columns, undefined, node.rows.length);
 * if (sql === undefined) shapes.set((sql = render(node)), "notes", true, node.columns, undefined, node.rows.length);
 */
export class InsertShapes {
  /** The shapes of one row, and of several with array types, apart. */
  private readonly roots = [new Map<string, ShapeNode>(), new Map<string, ShapeNode>()];
  private count = 0;
  private chars = 0;

  constructor(
    readonly max = 500,
    readonly maxChars = 4_000_000,
  ) {}

  /** The SQL text of a shape, if compiled before. */
  get(
    table: string,
    returning: boolean,
    columns: readonly { readonly name: string }[],
    arrayTypes?: readonly string[],
    rows?: number,
  ): string | undefined {
    let node = this.roots[arrayTypes ? 1 : 0]?.get(table);
    if (rows !== undefined) node = node?.rows?.get(rows);
    for (let i = 0; node !== undefined && i < columns.length; i++) {
      node = node.next?.get((columns[i] as { name: string }).name);
      if (arrayTypes && node) node = node.next?.get(arrayTypes[i] as string);
    }
    return node?.sql?.[returning ? 1 : 0];
  }

  /** Remembers `sql`, the text of a shape (the steps are the same as {@link get}'s). */
  set(
    sql: string,
    table: string,
    returning: boolean,
    columns: readonly { readonly name: string }[],
    arrayTypes?: readonly string[],
    rows?: number,
  ): void {
    if (sql.length * 4 > this.maxChars) return;
    if (this.count >= this.max || this.chars + sql.length > this.maxChars) {
      for (const root of this.roots) root.clear();
      this.count = 0;
      this.chars = 0;
    }
    let node = step(this.roots[arrayTypes ? 1 : 0] as Map<string, ShapeNode>, table);
    if (rows !== undefined) {
      let byRows = node.rows;
      if (!byRows) node.rows = byRows = new Map();
      let next = byRows.get(rows);
      if (!next) byRows.set(rows, (next = {}));
      node = next;
    }
    for (let i = 0; i < columns.length; i++) {
      node = step((node.next ??= new Map()), (columns[i] as { name: string }).name);
      if (arrayTypes) node = step((node.next ??= new Map()), arrayTypes[i] as string);
    }
    node.sql ??= [undefined, undefined];
    const held = node.sql[returning ? 1 : 0];
    if (held === undefined) this.count += 1;
    this.chars += sql.length - (held?.length ?? 0);
    node.sql[returning ? 1 : 0] = sql;
  }

  /** How many shapes are held. */
  get size(): number {
    return this.count;
  }
}

function step(map: Map<string, ShapeNode>, key: string): ShapeNode {
  let node = map.get(key);
  if (!node) map.set(key, (node = {}));
  return node;
}
