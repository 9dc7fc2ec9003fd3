import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import type { SelectItem, SelectNode } from "../query/ast.js";
import { rememberFresh } from "../model/record-state.js";
import { type Branch, type BranchItem, branchesOf, isBranchItem, tagColumns } from "./branches.js";

/** Decodes one raw value; adapters may supply their own (see `SqlCompiler.decode`). */
export type Decoder = (field: FieldMeta, raw: unknown, inJson: boolean) => unknown;

/** The prototype records of a model get (the model's class by default; a database's bound class, see `db.model`). */
export type Prototypes = (model: ModelMeta) => object;

const classPrototype: Prototypes = (model) => model.ctor.prototype as object;

/** Builds one record (or nested object) from a row, or from a parsed JSON object. */
type RowReader = (row: Record<string, unknown>) => object;

/** Column-name separator of a many2one the compiler loaded with a join (`creator_id.name`). */
export const joinedKeySeparator = ".";

/** No nested many2one read as joined columns. */
export const noJoins: ReadonlySet<SelectItem> = new Set();

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
  const read = reader(select, decode, protos, false, "", joined);
  for (let i = 0; i < rows.length; i++) out[i] = read(rows[i] as Record<string, unknown>);
  return out;
}

/**
 * A reader for `select`'s records; `prefix` names a joined many2one's columns, `joined` lists the
 * many2ones read from joined columns. A `branch` reader (tagged layout) gives each nested one2many /
 * many2many an empty array to be filled from its own rows, and leaves computed fields to be derived
 * once the arrays are full.
 */
function reader(
  select: SelectNode,
  decode: Decoder,
  protos: Prototypes,
  inJson: boolean,
  prefix: string,
  joined: ReadonlySet<SelectItem>,
  branch = false,
): RowReader {
  const proto = protos(select.model);
  const names = select.items.map((item) => item.field.name);
  const values = select.items.map((item) =>
    branch && isBranchItem(item) ? () => [] : itemReader(item, decode, protos, inJson, prefix, joined),
  );
  const computed = branch ? [] : (select.computed ?? []);
  // the baseline of save(): stored columns, ids of relations, nested many2ones (by id); not nested lists
  const tracked = select.items
    .filter((item) => item.kind !== "nested" || !isMany(item.field))
    .map((item) => item.field);
  return (row) => {
    const record = Object.create(proto) as Record<string, unknown>;
    for (let i = 0; i < names.length; i++)
      record[names[i] as string] = (values[i] as (row: Record<string, unknown>) => unknown)(row);
    if (computed.length > 0) derive(record, computed, select.loadOnly);
    rememberFresh(record, tracked);
    return record;
  };
}

function itemReader(
  item: SelectItem,
  decode: Decoder,
  protos: Prototypes,
  inJson: boolean,
  prefix: string,
  joined: ReadonlySet<SelectItem>,
): (row: Record<string, unknown>) => unknown {
  const key = prefix + item.field.name;
  if (item.kind === "column") return (row) => decode(item.field, row[key], inJson);
  const target = item.field.target();
  const many = item.field.kind === "one2many" || item.field.kind === "many2many";
  if (item.kind === "nested" && !many && joined.has(item)) {
    const inner = key + joinedKeySeparator;
    const read = reader(item.sub, decode, protos, false, inner, joined);
    const idKey = inner + "id";
    return (row) => (row[idKey] === null || row[idKey] === undefined ? null : read(row));
  }
  const json = (row: Record<string, unknown>) => {
    const raw = row[key];
    return typeof raw === "string" ? JSON.parse(raw) : raw;
  };
  if (item.kind === "ids") {
    if (!many) {
      return (row) => {
        const value = json(row);
        return value === null || value === undefined ? null : decode(target.id, value, true);
      };
    }
    return (row) => ((json(row) ?? []) as unknown[]).map((v) => decode(target.id, v, true));
  }
  const read = reader(item.sub, decode, protos, true, "", noJoins);
  if (!many) {
    return (row) => {
      const value = json(row) as Record<string, unknown> | null | undefined;
      return value === null || value === undefined ? null : read(value);
    };
  }
  return (row) => ((json(row) ?? []) as Record<string, unknown>[]).map(read);
}

function isMany(field: FieldMeta): boolean {
  return field.kind === "one2many" || field.kind === "many2many";
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
    const read = reader(branch.node, decode, protos, false, branch.prefix, joined, true);
    const own = records[branch.index] as Record<string, unknown>[];
    const ordered = ranked(branch)
      ? [...branchRows].sort((a, b) => Number(a[tagColumns.rank]) - Number(b[tagColumns.rank]))
      : branchRows;
    const parentId = branch.parent?.node.model.id;
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
      if (!parentId) {
        add(row);
        continue;
      }
      // a child whose parent was not read (not readable, past its limit) has no list and is dropped
      const lists = (slots[branch.index] as Map<number, unknown[][]>).get(
        decode(parentId, row[tagColumns.parent], false) as number,
      );
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

/** Fills computed fields, then drops the fields read only for them (never returned unless asked for). */
function derive(
  record: Record<string, unknown>,
  computed: readonly FieldMeta[],
  loadOnly: readonly string[] | undefined,
): void {
  for (const field of computed) record[field.name] = field.def.options.compute!(record);
  if (loadOnly) for (const name of loadOnly) delete record[name];
}
