import type { SelectItem, SelectNode } from "../query/ast.js";

/**
 * Column names of the tagged layout. `#` cannot appear in a field name, so they never collide with
 * a record's columns: `#b` is the branch a row belongs to, `#p` the id of its parent record, `#n` its
 * rank among its parent's children when the database ranked them (a per-parent limit).
 */
export const tagColumns = { branch: "#b", parent: "#p", rank: "#n" } as const;

/** A nested one2many / many2many: read as a branch of its own in the tagged layout. */
export type BranchItem = Extract<SelectItem, { kind: "nested" }>;

/**
 * One SELECT of a tagged read: the root records, or the records of one nested one2many /
 * many2many. Branches come parents first; each row of the result belongs to exactly one.
 */
export interface Branch {
  readonly index: number;
  /**
   * The records' select; its items include the branch items read by `children`. The root branch of
   * a kept shape holds a value-free stand-in: take a read's root with {@link nodeOf}.
   */
  readonly node: SelectNode;
  /** The select without the branch items: what this branch's own columns hold. */
  readonly own: SelectNode;
  /** The relation leading here from `parent` (absent for the root). */
  readonly item?: BranchItem;
  readonly parent?: Branch;
  /** Prefix of this branch's column names: "" for the root, `<index>#` for the others. */
  readonly prefix: string;
  readonly children: readonly Branch[];
}

/** Whether `item` is a nested one2many / many2many. */
export function isBranchItem(item: SelectItem): item is BranchItem {
  return item.kind === "nested" && (item.field.kind === "one2many" || item.field.kind === "many2many");
}

/**
 * The branches of a select, parents first. Only one2many / many2many nested directly in the root or
 * in another branch are branches; one nested under a many2one stays inside that many2one's value.
 * A select planned once per shape (frozen items, see `planReadShaped`) has its branches built once
 * and kept with its items: every read of the shape gets the same list, whose root branch holds a
 * value-free stand-in of the root (its items and model only), so a read's own root (its filter,
 * limit, computed fields) is always taken from the select at hand: see {@link nodeOf}.
 *
 * @example
 * branchesOf(chatWithMessages).map((b) => b.prefix) // ["", "1#"]
 */
export function branchesOf(root: SelectNode): readonly Branch[] {
  const items = root.items;
  if (Object.isFrozen(items)) {
    const known = kept.get(items);
    if (known && known[0]?.node.model === root.model) return known;
    const built = build(standIn(root, items));
    for (const b of built) {
      Object.freeze(b.children);
      Object.freeze(b);
    }
    Object.freeze(built);
    kept.set(items, built);
    treesBuilt++;
    return built;
  }
  const known = cache.get(root);
  if (known) return known;
  const built = build(root);
  cache.set(root, built);
  return built;
}

/**
 * The select `branch` reads in the read of `root`: `root` itself for the root branch (the kept
 * branches of a shape hold a value-free stand-in there), the branch's own select for the others.
 */
export function nodeOf(branch: Branch, root: SelectNode): SelectNode {
  return branch.index === 0 ? root : branch.node;
}

/** How many shapes have had their branches built and kept (a repeated shape is built once; for tests). */
export function keptBranchTrees(): number {
  return treesBuilt;
}

let treesBuilt = 0;
const noOrder: readonly never[] = Object.freeze([]);

/** The root of a kept shape without any of a read's values: its model and (frozen) items. */
function standIn(root: SelectNode, items: readonly SelectItem[]): SelectNode {
  return Object.freeze({ kind: "select", model: root.model, items, order: noOrder });
}

function build(root: SelectNode): Branch[] {
  const out: Branch[] = [];
  const frozen = Object.isFrozen(root.items);
  const visit = (node: SelectNode, item?: BranchItem, parent?: Branch & { children: Branch[] }): void => {
    const index = out.length;
    const items = node.items.filter((i) => !isBranchItem(i));
    const branch: Branch & { children: Branch[] } = {
      index,
      node,
      own: { ...node, items: frozen ? Object.freeze(items) : items },
      item,
      parent,
      prefix: index === 0 ? "" : `${index}#`,
      children: [],
    };
    out.push(branch);
    parent?.children.push(branch);
    for (const child of node.items) if (isBranchItem(child)) visit(child.sub, child, branch);
  };
  visit(root);
  return out;
}

/** The branches of a planned-once shape, by its frozen root items. */
const kept = new WeakMap<readonly SelectItem[], readonly Branch[]>();
/** The compiler and the hydration of one read of a select built per call ask for the same select's branches. */
const cache = new WeakMap<SelectNode, readonly Branch[]>();
