import type { FieldMeta, ModelMeta } from "../model/model-meta.js";

/**
 * The query description every call builds: plain frozen objects with a `kind`, walked by the
 * dialect compiler. Values in it are already validated and converted for the database.
 */

/** A boolean condition. */
export type CondNode =
  | { readonly kind: "and"; readonly items: readonly CondNode[] }
  | { readonly kind: "or"; readonly items: readonly CondNode[] }
  | { readonly kind: "not"; readonly item: CondNode }
  | { readonly kind: "const"; readonly value: boolean }
  | {
      readonly kind: "cmp";
      readonly field: FieldMeta;
      readonly op: "=" | "<>" | ">" | ">=" | "<" | "<=";
      readonly value: unknown;
    }
  | { readonly kind: "null"; readonly field: FieldMeta; readonly negate: boolean }
  | { readonly kind: "in"; readonly field: FieldMeta; readonly values: readonly unknown[]; readonly negate: boolean }
  | {
      readonly kind: "like";
      readonly field: FieldMeta;
      readonly pattern: string;
      readonly ci: boolean;
      readonly negate: boolean;
    }
  | {
      readonly kind: "between";
      readonly field: FieldMeta;
      readonly low: unknown;
      readonly high: unknown;
      readonly negate: boolean;
    }
  /** Some row reached through relation `via` matches `cond` (dotted paths). */
  | { readonly kind: "exists"; readonly via: FieldMeta; readonly cond: CondNode }
  /** A field compared with an expression over fields of the same row (`F`). */
  | {
      readonly kind: "cmpExpr";
      readonly field: FieldMeta;
      readonly op: "=" | "<>" | ">" | ">=" | "<" | "<=";
      readonly expr: ExprNode;
    };

/** Arithmetic over fields of one row (`F("views").add(1)`), built only by core from a fixed table of operators. */
export type ExprNode =
  | { readonly kind: "field"; readonly field: FieldMeta }
  /** A bound number, typed like `field` (the expression's first field). */
  | { readonly kind: "value"; readonly value: number; readonly field: FieldMeta }
  | { readonly kind: "arith"; readonly op: "+" | "-" | "*" | "/"; readonly left: ExprNode; readonly right: ExprNode };

/** A part of a date or datetime, in UTC (`date` drops the time of day). */
export type DatePart = "year" | "month" | "day" | "date";

/** One relation followed by a computed column, with the read rule of the rows it reaches. */
export interface PathHop {
  readonly via: FieldMeta;
  readonly where?: CondNode;
}

/**
 * What a computed stand-in field computes (see `computedOf`): it is used like a column in
 * conditions, orders and select lists, and rendered by the compiler's `computed` hook.
 */
export type Computed =
  | { readonly kind: "datePart"; readonly part: DatePart; readonly source: FieldMeta }
  /** `leaf` of the row reached through many2one `hops` (NULL when a hop is empty or not readable). */
  | { readonly kind: "path"; readonly hops: readonly PathHop[]; readonly leaf: FieldMeta }
  /** `fn` of `field` over the rows of relation `hop` (per row: `annotate`). */
  | { readonly kind: "relAggregate"; readonly hop: PathHop; readonly fn: AggregateFn; readonly field: FieldMeta };

/** One ORDER BY term. */
export interface OrderNode {
  readonly field: FieldMeta;
  readonly desc: boolean;
}

/** An item of a select list. */
export type SelectItem =
  | { readonly kind: "column"; readonly field: FieldMeta }
  /** A relation loaded as an object (many2one, one2one) or array (one2many, many2many). */
  | { readonly kind: "nested"; readonly field: FieldMeta; readonly sub: SelectNode }
  /** A one2many / many2many loaded as an array of ids (of the related rows matching `where`: the target's read rule). */
  | { readonly kind: "ids"; readonly field: FieldMeta; readonly where?: CondNode };

/** A SELECT of records of one model. */
export interface SelectNode {
  readonly kind: "select";
  readonly model: ModelMeta;
  readonly items: readonly SelectItem[];
  readonly where?: CondNode;
  readonly order: readonly OrderNode[];
  readonly limit?: number;
  readonly offset?: number;
  /** Computed (unstored) fields to derive after hydration. */
  readonly computed?: readonly FieldMeta[];
  /** Fields read only for computed fields to use: removed from the records once those are derived. */
  readonly loadOnly?: readonly string[];
  /** `FOR UPDATE`: lock the rows read until the transaction ends. */
  readonly lock?: LockNode;
  /** `SELECT DISTINCT` of column items only (`distinct().values(...)`); `order` names items only. */
  readonly distinct?: boolean;
  /**
   * Also read how many rows `where` matches, regardless of limit and offset, in a leading
   * `#total` column of every row (an uncorrelated scalar subquery, evaluated once): a page with its
   * total in one statement. Only where `SqlCompiler.countsInline` says the select can carry it.
   */
  readonly total?: boolean;
  /** What planning read from the request, for the secure step (absent on selects core builds itself). */
  readonly plan?: SelectPlan;
}

/**
 * What a planned read touched, recorded by planning so that access is applied afterwards in one
 * step (`access/secure-read.ts`): the parts the rules are ANDed into and the field names checked.
 * Paths (`author_id__name`), annotations and dotted filter paths are in the node itself, with no rule.
 */
export interface ReadPlan {
  /** The parsed filter, without any rule. */
  readonly filter?: CondNode;
  /** Annotations (`annotate`), in the order given. */
  readonly annotations: readonly FieldMeta[];
}

/** The {@link ReadPlan} of a select. */
export interface SelectPlan extends ReadPlan {
  /** A condition core added (ids of `get`, a keyset cursor): ANDed first, before the filter. */
  readonly extra?: CondNode;
  /** The field names read (listed, or the model's defaults), before any is withheld. */
  readonly names: readonly string[];
  /** Whether the caller listed the fields (a withheld listed field is refused, a default one left out). */
  readonly explicit: boolean;
  /** The relations loaded as nested records. */
  readonly nestedNames: readonly string[];
  /** Whether a withheld order field is refused (an order the caller gave) or left out (the model's default order). */
  readonly strictOrder: boolean;
  /** `distinct().values(...)`: the select before it was made distinct, and the arguments to make it so again. */
  readonly distinct?: {
    readonly base: SelectNode;
    readonly fields: readonly unknown[] | undefined;
    readonly ordered: boolean;
  };
}

/** A row lock of a select (`forUpdate`). */
export interface LockNode {
  /** Leave out rows another transaction holds. */
  readonly skipLocked: boolean;
  /** Fail at once instead of waiting for a held row. */
  readonly noWait: boolean;
}

/** SELECT count(*) (or existence) of rows matching `where`. */
export interface CountNode {
  readonly kind: "count";
  readonly model: ModelMeta;
  readonly where?: CondNode;
  /** Only whether one row exists. */
  readonly exists?: boolean;
  /** What planning read from the request, for the secure step (absent on counts core builds itself). */
  readonly plan?: ReadPlan;
}

/** A column written by an insert or update, with the field that types it (absent for link tables). */
export interface ColumnNode {
  readonly name: string;
  readonly field?: FieldMeta;
}

/** INSERT of one or more rows. */
export interface InsertNode {
  readonly kind: "insert";
  readonly table: string;
  readonly columns: readonly ColumnNode[];
  readonly rows: readonly (readonly unknown[])[];
  /** Return generated ids (in row order). */
  readonly returningId: boolean;
  /** Do nothing when the row conflicts on these columns (link tables). */
  readonly ignoreConflicts?: boolean;
  /** Upsert: on a conflict over `columns`, update `update` from the new row (none: keep the old row). */
  readonly onConflict?: { readonly columns: readonly FieldMeta[]; readonly update: readonly FieldMeta[] };
}

/** Aggregate functions. */
export type AggregateFn = "count" | "sum" | "avg" | "min" | "max" | "count_distinct";

/** One aggregate of an {@link AggregateNode}. */
export interface AggregateItem {
  readonly alias: string;
  readonly fn: AggregateFn;
  readonly field: FieldMeta;
}

/** A condition on an aggregate (HAVING). */
export interface HavingNode {
  readonly item: AggregateItem;
  readonly op: "=" | "<>" | ">" | ">=" | "<" | "<=";
  readonly value: unknown;
}

/** SELECT of aggregates, optionally grouped (a many2one group key may be nested for its display value). */
export interface AggregateNode {
  readonly kind: "aggregate";
  readonly model: ModelMeta;
  readonly groupBy: readonly SelectItem[];
  readonly aggregates: readonly AggregateItem[];
  readonly where?: CondNode;
  readonly having: readonly HavingNode[];
  /** ORDER BY group keys or aggregates. */
  readonly order: readonly { readonly key: FieldMeta | AggregateItem; readonly desc: boolean }[];
  readonly limit?: number;
  readonly offset?: number;
  /** What planning read from the request: the filter, and the fields grouped and aggregated. */
  readonly plan?: ReadPlan & { readonly fields: readonly string[] };
}

/** UPDATE rows of a model. */
export interface UpdateNode {
  readonly kind: "update";
  readonly model: ModelMeta;
  readonly set: readonly (readonly [FieldMeta, unknown])[];
  /** Columns set from expressions over the row itself (`F`), computed by the database. */
  readonly exprs?: readonly (readonly [FieldMeta, ExprNode])[];
  readonly where?: CondNode;
}

/** DELETE rows of a model, or of a link table when `table` and `raw` are given. */
export interface DeleteNode {
  readonly kind: "delete";
  readonly model: ModelMeta;
  readonly where?: CondNode;
}

/** DELETE from a many2many link table: rows of `owner` ids, optionally only some targets. */
export interface UnlinkNode {
  readonly kind: "unlink";
  readonly table: string;
  readonly ownerColumn: string;
  readonly targetColumn: string;
  readonly owners: readonly (number | string)[];
  readonly targets?: readonly (number | string)[];
  /** The ids' fields (the two models' keys), so dialects with typed parameters bind them with the key's type. */
  readonly ownerKey?: FieldMeta;
  readonly targetKey?: FieldMeta;
}

/** Any statement the pipeline sends. */
export type QueryNode = SelectNode | CountNode | InsertNode | UpdateNode | DeleteNode | UnlinkNode | AggregateNode;

/**
 * Condition trees built by core are sealed ({@link Seal}). A seal cannot be forged from plain data (a
 * caller's JSON or object literal never has one), so the compiler renders only conditions core built
 * and checked. This set holds the sealed nodes that were not extensible any more when sealed.
 */
const sealed = new WeakSet<object>();

/** A constructor that returns its argument: a subclass's private fields are then added to that object. */
const ReturnsArgument = function (this: unknown, target: object) {
  return target;
} as unknown as new (
  target: object,
) => object;

/**
 * The seal itself: a private field, which only this class can add or test. Like membership of a
 * WeakSet it cannot be forged from data, copied by a spread or listed by reflection, and it costs a
 * property store rather than a weak hash table insert (a third of the time per node; conditions are
 * built and sealed on every call). A node that is already not extensible goes into `sealed` instead.
 */
class Seal extends ReturnsArgument {
  #sealed = true;

  static add(node: object): void {
    if (Object.isExtensible(node)) new Seal(node);
    else sealed.add(node);
  }

  static has(node: object): boolean {
    return #sealed in node || sealed.has(node);
  }
}

/**
 * Marks a condition tree as built inside core (after parsing and checking) and freezes its nodes.
 * Only core calls it; the compiler refuses any condition that was not sealed.
 */
function seal<T extends CondNode>(node: T): T {
  if (Seal.has(node)) return node;
  switch (node.kind) {
    case "and":
    case "or":
      for (const item of node.items) seal(item);
      break;
    case "not":
      seal(node.item);
      break;
    case "exists":
      seal(node.cond);
      break;
    default:
      break;
  }
  Seal.add(node);
  Object.freeze(node);
  return node;
}

/** Whether `node` is a condition built by core (see {@link ast.seal}). */
export function isSealed(node: unknown): node is CondNode {
  return typeof node === "object" && node !== null && Seal.has(node);
}

/** Helpers that build nodes (frozen and sealed, so nothing downstream mutates or forges a description). */
export const ast = {
  seal,
  and(items: readonly (CondNode | undefined)[]): CondNode | undefined {
    const list = items.filter((x): x is CondNode => x !== undefined);
    if (list.length === 0) return undefined;
    if (list.length === 1) return seal(list[0] as CondNode);
    return seal({ kind: "and", items: Object.freeze(list) });
  },
  or(items: readonly CondNode[]): CondNode {
    if (items.length === 1) return seal(items[0] as CondNode);
    return seal({ kind: "or", items: Object.freeze([...items]) });
  },
  not(item: CondNode): CondNode {
    return seal({ kind: "not", item });
  },
  const(value: boolean): CondNode {
    return seal({ kind: "const", value });
  },
  idIn(model: ModelMeta, ids: readonly (number | string)[]): CondNode {
    return ids.length === 1
      ? seal({ kind: "cmp", field: model.id, op: "=", value: ids[0] })
      : seal({ kind: "in", field: model.id, values: Object.freeze([...ids]), negate: false });
  },
};
