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
  /** The records' select; its items include the branch items read by `children`. */
  readonly node: SelectNode;
  /** The select without the branch items: what this branch's own columns hold. */
  readonly own: SelectNode;
  /** The relation leading here from `parent` (absent for the root). */
  readonly item?: BranchItem;
  readonly parent?: Branch;
  /** Prefix of this branch's column names: "" for the root, `<index>#` for the others. */
  readonly prefix: string;
  readonly children: Branch[];
}

/** Whether `item` is a nested one2many / many2many. */
export function isBranchItem(item: SelectItem): item is BranchItem {
  return item.kind === "nested" && (item.field.kind === "one2many" || item.field.kind === "many2many");
}

/**
 * The branches of a select, parents first. Only one2many / many2many nested directly in the root or
 * in another branch are branches; one nested under a many2one stays inside that many2one's value.
 *
 * @example
 * branchesOf(chatWithMessages).map((b) => b.prefix) // ["", "1#"]
 */
export function branchesOf(root: SelectNode): Branch[] {
  const known = cache.get(root);
  if (known) return known;
  const out: Branch[] = [];
  const visit = (node: SelectNode, item?: BranchItem, parent?: Branch): void => {
    const index = out.length;
    const branch: Branch = {
      index,
      node,
      own: { ...node, items: node.items.filter((i) => !isBranchItem(i)) },
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
  cache.set(root, out);
  return out;
}

/** The compiler and the hydration of one read ask for the same select's branches. */
const cache = new WeakMap<SelectNode, Branch[]>();
