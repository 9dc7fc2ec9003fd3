import type { SelectItem, SelectNode } from "../query/ast.js";
import { type Branch, type BranchItem, branchesOf, tagColumns } from "./branches.js";
import {
  type Decoder,
  type Prototypes,
  type RowReader,
  classPrototype,
  closureReader,
  derive,
  noJoins,
} from "./closure-reader.js";
import { compiledReader } from "./compiled-reader.js";

export { type Decoder, joinedKeySeparator, noJoins, type Prototypes } from "./closure-reader.js";

/**
 * Turns result rows into records of the model's class (so methods defined on a subclass work),
 * nested relations included, then fills computed fields. The readers are built once per call, not
 * per row. The layout is told by the nesting strategy that rendered the statement (see
 * `sql/nesting/`), never guessed from the rows: a nested relation is one JSON column, except the
 * many2ones in `joined`, which come as columns named `<field>.<subfield>`. Rows in the tagged
 * layout are put together by {@link hydrateTagged}.
 */
export function hydrate(
  select: SelectNode,
  rows: readonly Record<string, unknown>[],
  decode: Decoder,
  protos: Prototypes = classPrototype,
  joined: ReadonlySet<SelectItem> = noJoins,
): object[] {
  if (rows.length === 0) return [];
  const out = new Array<object>(rows.length);
  const read = reader(rows.length, select, decode, protos, "", joined);
  for (let i = 0; i < rows.length; i++) out[i] = read(rows[i] as Record<string, unknown>);
  return out;
}

/**
 * The reader of `count` rows of `select`: compiled once per shape where code can be compiled
 * ({@link compiledReader}), else built of closures for this read ({@link closureReader}). One row is
 * read with closures (finding its shape's compiled reader costs more than it saves on one row), unless
 * the select was planned once per shape: its reader is then kept with its frozen items.
 */
function reader(
  count: number,
  select: SelectNode,
  decode: Decoder,
  protos: Prototypes,
  prefix: string,
  joined: ReadonlySet<SelectItem>,
  branch = false,
): RowReader {
  // a shape planned once (frozen items) keeps its compiled reader: found at once, worth it for one row too
  const compile = count > 1 || Object.isFrozen(select.items);
  return (
    (compile ? compiledReader(select, decode, protos, prefix, joined, branch) : undefined) ??
    closureReader(select, decode, protos, false, prefix, joined, branch)
  );
}

/**
 * Puts records together from the tagged layout: one UNION ALL whose rows each hold one record of
 * one branch (`#b`), children naming their parent's id (`#p`). Rows are grouped by branch first, so
 * the order in which the database returns the branches does not matter; within a branch the rows
 * keep the database's order, or are sorted by their per-parent rank (`#n`) when the strategy ranked
 * the branch (`ranked`). A child whose parent is not among the parent rows (not readable, or past its
 * limit) is dropped. `joined` lists the nested many2ones read as joined columns, as in {@link hydrate}.
 */
export function hydrateTagged(
  select: SelectNode,
  rows: readonly Record<string, unknown>[],
  decode: Decoder,
  protos: Prototypes | undefined,
  joined: ReadonlySet<SelectItem>,
  ranked: (branch: Branch) => boolean,
): object[] {
  protos ??= classPrototype;
  const branches = branchesOf(select);
  const byBranch = branches.map(() => [] as Record<string, unknown>[]);
  for (const row of rows) byBranch[Number(row[tagColumns.branch])]?.push(row);
  const records = branches.map(() => [] as Record<string, unknown>[]);
  // For each branch, its parents' arrays by parent id: a many2many target under several parents
  // (or under several copies of one parent) gets a record of its own in each.
  const slots = branches.map(() => new Map<number, unknown[][]>());
  for (const branch of branches) {
    const branchRows = byBranch[branch.index] as Record<string, unknown>[];
    if (branchRows.length === 0) continue;
    const read = reader(branchRows.length, branch.node, decode, protos, branch.prefix, joined, true);
    const own = records[branch.index] as Record<string, unknown>[];
    const ordered = ranked(branch)
      ? [...branchRows].sort((a, b) => Number(a[tagColumns.rank]) - Number(b[tagColumns.rank]))
      : branchRows;
    const parentId = branch.parent?.node.model.id;
    // the parent's id as a column of its own (the decoder's per-field function when it offers one)
    const parentKey =
      parentId && (decode.column ? decode.column(parentId) : (raw: unknown) => decode(parentId, raw, false));
    const add = (row: Record<string, unknown>, list?: unknown[]) => {
      const record = read(row) as Record<string, unknown>;
      list?.push(record);
      own.push(record);
      for (const child of branch.children) {
        const childSlots = slots[child.index] as Map<number, unknown[][]>;
        const array = record[(child.item as BranchItem).field.name] as unknown[];
        const lists = childSlots.get(record.id as number);
        if (lists) lists.push(array);
        else childSlots.set(record.id as number, [array]);
      }
    };
    for (const row of ordered) {
      if (!parentKey) {
        add(row);
        continue;
      }
      // a child whose parent was not read (not readable, past its limit) has no list and is dropped
      const lists = (slots[branch.index] as Map<number, unknown[][]>).get(parentKey(row[tagColumns.parent]) as number);
      for (const list of lists ?? []) add(row, list);
    }
  }
  // computed fields last, children before parents, so a compute may read its nested arrays
  for (let i = branches.length - 1; i >= 0; i--) {
    const computed = (branches[i] as Branch).node.computed ?? [];
    if (computed.length === 0) continue;
    const loadOnly = (branches[i] as Branch).node.loadOnly;
    for (const record of records[i] as Record<string, unknown>[]) derive(record, computed, loadOnly);
  }
  return records[0] as object[];
}
