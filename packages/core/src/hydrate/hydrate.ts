import type { SelectItem, SelectNode } from "../query/ast.js";
import { type Branch, type BranchItem, branchesOf, nodeOf, tagColumns } from "./branches.js";
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
 * one branch (`#b`), children naming their parent's id (`#p`). Rows are taken branch by branch, so
 * the order in which the database returns the branches does not matter (rows already grouped
 * parents first, as the members are written, are read where they stand; others are grouped first);
 * within a branch the rows keep the database's order, or are sorted by their per-parent rank (`#n`)
 * when the strategy ranked the branch (`ranked`, asked with the read's root). A child whose parent
 * is not among the parent rows (not readable, or past its limit) is dropped. `joined` lists the
 * nested many2ones read as joined columns, as in {@link hydrate}.
 */
export function hydrateTagged(
  select: SelectNode,
  rows: readonly Record<string, unknown>[],
  decode: Decoder,
  protos: Prototypes | undefined,
  joined: ReadonlySet<SelectItem>,
  ranked: (branch: Branch, root: SelectNode) => boolean,
): object[] {
  protos ??= classPrototype;
  const branches = branchesOf(select);
  const count = branches.length;
  // where each branch's rows start and end in `rows`, or (rows not grouped by branch) the rows of each
  const bounds = runs(rows, count);
  let byBranch: Record<string, unknown>[][] | undefined;
  if (!bounds) {
    byBranch = branches.map(() => []);
    for (const row of rows) byBranch[Number(row[tagColumns.branch])]?.push(row);
  }
  const roots: object[] = [];
  // records of a branch with computed fields, filled after its children (see below)
  let computedOf: Record<string, unknown>[][] | undefined;
  // For each branch, its parents' arrays by parent id; a many2many target under several parents (or
  // under several copies of one parent) gets a record of its own in each, their further lists in `more`.
  const slots: (Map<unknown, unknown[]> | undefined)[] = new Array(count);
  const more: (Map<unknown, unknown[][]> | undefined)[] = new Array(count);
  for (let b = 0; b < count; b++) {
    const branch = branches[b] as Branch;
    let list: readonly Record<string, unknown>[] = byBranch ? (byBranch[b] as Record<string, unknown>[]) : rows;
    let from = bounds ? (bounds[b] as number) : 0;
    let to = bounds ? (bounds[b + 1] as number) : list.length;
    if (to === from) continue;
    const node = nodeOf(branch, select);
    const read = reader(to - from, node, decode, protos, branch.prefix, joined, true);
    if (b > 0 && ranked(branch, select)) {
      list = list.slice(from, to).sort((x, y) => Number(x[tagColumns.rank]) - Number(y[tagColumns.rank]));
      from = 0;
      to = list.length;
    }
    let own: Record<string, unknown>[] | undefined;
    if (node.computed?.length) {
      own = [];
      (computedOf ??= [])[b] = own;
    }
    const parentId = branch.parent?.node.model.id;
    const parentSlots = slots[b];
    const parentMore = more[b];
    // the parent's id as a column of its own (the decoder's per-field function when it offers one)
    const parentKey =
      parentId && (decode.column ? decode.column(parentId) : (raw: unknown) => decode(parentId, raw, false));
    // a record with no children and no computed fields only joins its parent's list
    const leaf = branch.children.length === 0 && own === undefined;
    // siblings come one after the other: their parent's lists are looked up once per run of them
    let lastRaw: unknown;
    let first: unknown[] | undefined;
    let others: unknown[][] | undefined;
    for (let r = from; r < to; r++) {
      const row = list[r] as Record<string, unknown>;
      if (!parentKey) {
        take(read(row) as Record<string, unknown>, roots, own, branch, slots, more);
        continue;
      }
      const raw = row[tagColumns.parent];
      if (r === from || raw !== lastRaw) {
        const id = parentKey(raw);
        first = parentSlots?.get(id);
        others = parentMore?.get(id);
        lastRaw = raw;
      }
      // a child whose parent was not read (not readable, past its limit) has no list and is dropped
      if (!first) continue;
      if (leaf && !others) {
        first.push(read(row));
        continue;
      }
      take(read(row) as Record<string, unknown>, first, own, branch, slots, more);
      if (others)
        for (const array of others) take(read(row) as Record<string, unknown>, array, own, branch, slots, more);
    }
  }
  // computed fields last, children before parents, so a compute may read its nested arrays
  if (computedOf) {
    for (let i = count - 1; i >= 0; i--) {
      const records = computedOf[i];
      if (!records) continue;
      const node = nodeOf(branches[i] as Branch, select);
      for (const record of records) derive(record, node.computed ?? [], node.loadOnly);
    }
  }
  return roots;
}

/** Adds a record read for `branch` to `list` (and `own`), and its children's arrays to their slots. */
function take(
  record: Record<string, unknown>,
  list: unknown[],
  own: Record<string, unknown>[] | undefined,
  branch: Branch,
  slots: (Map<unknown, unknown[]> | undefined)[],
  more: (Map<unknown, unknown[][]> | undefined)[],
): void {
  list.push(record);
  own?.push(record);
  for (const child of branch.children) {
    const array = record[(child.item as BranchItem).field.name] as unknown[];
    const id = record.id;
    const childSlots = (slots[child.index] ??= new Map());
    if (!childSlots.has(id)) {
      childSlots.set(id, array);
      continue;
    }
    const childMore = (more[child.index] ??= new Map());
    const lists = childMore.get(id);
    if (lists) lists.push(array);
    else childMore.set(id, [array]);
  }
}

/**
 * Where each of `count` branches' rows start in `rows` (and the last one ends), when the rows come
 * grouped by branch in branch order, as the members are written; undefined otherwise.
 */
function runs(rows: readonly Record<string, unknown>[], count: number): number[] | undefined {
  const bounds = new Array<number>(count + 1);
  let at = 0;
  bounds[0] = 0;
  for (let r = 0; r < rows.length; r++) {
    const tag = Number((rows[r] as Record<string, unknown>)[tagColumns.branch]);
    if (tag === at) continue;
    if (!(tag > at && tag < count && Number.isInteger(tag))) return undefined;
    while (at < tag) bounds[++at] = r;
  }
  while (at < count) bounds[++at] = rows.length;
  return bounds;
}
