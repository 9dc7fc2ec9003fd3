/** One step of the shapes' tree: the shapes that go on with a given column (or array type). */
interface ShapeNode {
  next?: Map<string, ShapeNode>;
  /** The SQL text of the shape that ends here: [without RETURNING, with it]. */
  sql?: [string | undefined, string | undefined];
}

/**
 * The SQL text of compiled INSERT statements, per statement shape, at most `max` of them (past it
 * every shape is dropped and compiled again on its next use). A create compiles the same few
 * shapes over and over; taking the text from here skips rendering it, and hands later steps (the
 * prepared statement's name, the statement metrics, both keyed on the SQL text) the same string
 * each time, whose hash V8 keeps.
 *
 * A shape is everything the text depends on: the table, whether it returns ids, and per column its
 * name and, for several rows (`unnest`, one array per column), its array type; one row renders as
 * `VALUES ($1, ...)`. It is looked up as a path of strings (the table, then each column and type)
 * in the tree of one row or of several (kept apart: a column may be named like a type), so no key
 * is built per call.
 */
export class InsertShapes {
  /** The shapes of one row, and of several (whose paths also hold the array types), apart. */
  private readonly roots = [new Map<string, ShapeNode>(), new Map<string, ShapeNode>()];
  private count = 0;

  constructor(readonly max = 500) {}

  /** The SQL text of a shape, if compiled before. */
  get(
    table: string,
    returning: boolean,
    columns: readonly { readonly name: string }[],
    arrayTypes?: readonly string[],
  ): string | undefined {
    let node = this.roots[arrayTypes ? 1 : 0]?.get(table);
    for (let i = 0; node !== undefined && i < columns.length; i++) {
      node = node.next?.get((columns[i] as { name: string }).name);
      if (arrayTypes && node) node = node.next?.get(arrayTypes[i] as string);
    }
    return node?.sql?.[returning ? 1 : 0];
  }

  /** Remembers the SQL text of a shape (the steps are the same as {@link get}'s). */
  set(
    table: string,
    returning: boolean,
    columns: readonly { readonly name: string }[],
    arrayTypes: readonly string[] | undefined,
    sql: string,
  ): void {
    if (this.count >= this.max) {
      for (const root of this.roots) root.clear();
      this.count = 0;
    }
    let node = step(this.roots[arrayTypes ? 1 : 0] as Map<string, ShapeNode>, table);
    for (let i = 0; i < columns.length; i++) {
      node = step((node.next ??= new Map()), (columns[i] as { name: string }).name);
      if (arrayTypes) node = step((node.next ??= new Map()), arrayTypes[i] as string);
    }
    node.sql ??= [undefined, undefined];
    if (node.sql[returning ? 1 : 0] === undefined) this.count += 1;
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
