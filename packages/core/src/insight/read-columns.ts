import type { FieldMeta } from "../model/model-meta.js";
import type { CondNode, QueryNode } from "../query/ast.js";
import { computedOf } from "../query/computed-fields.js";

/** A column of a table, with the model field it stores. */
export interface TableColumn {
  readonly table: string;
  readonly column: string;
  readonly field: FieldMeta;
}

/**
 * The columns a planned read filters on, sorts on, and the foreign keys its dotted filter paths
 * follow: taken from the read the ORM planned (access rules included), never from the SQL text.
 */
export interface ReadColumns {
  readonly filtered: readonly TableColumn[];
  readonly sorted: readonly TableColumn[];
  /** The foreign-key column of each relation a dotted filter path crosses. */
  readonly foreignKeys: readonly TableColumn[];
}

const column = (field: FieldMeta): TableColumn | undefined =>
  field.stored && computedOf(field) === undefined && field.model
    ? { table: field.model.table, column: field.column, field }
    : undefined;

/**
 * The filtered, sorted and followed columns of a planned select, count or aggregate (none for a
 * write: its plan is read without them).
 *
 * @example
 * readColumns(await planRead(gate, Lead.meta, { filter: [["stage_id__name", "=", "won"]] })).foreignKeys;
 * // [{ table: "leads", column: "stage_id", field }]
 */
export function readColumns(node: QueryNode): ReadColumns {
  const filtered: TableColumn[] = [];
  const foreignKeys: TableColumn[] = [];
  const sorted: TableColumn[] = [];
  if (node.kind !== "select" && node.kind !== "count" && node.kind !== "aggregate")
    return { filtered, sorted, foreignKeys };
  const add = (list: TableColumn[], field: FieldMeta) => {
    const c = column(field);
    if (c && !list.some((x) => x.table === c.table && x.column === c.column)) list.push(c);
  };
  const walk = (cond: CondNode | undefined): void => {
    if (!cond) return;
    switch (cond.kind) {
      case "and":
      case "or":
        for (const item of cond.items) walk(item);
        return;
      case "not":
        walk(cond.item);
        return;
      case "const":
        return;
      case "exists": {
        const fk = foreignKeyOf(cond.via);
        if (fk) add(foreignKeys, fk);
        walk(cond.cond);
        return;
      }
      default:
        add(filtered, cond.field);
    }
  };
  walk(node.where);
  if (node.kind === "select") for (const o of node.order) add(sorted, o.field);
  if (node.kind === "aggregate") for (const o of node.order) if ("kind" in o.key) add(sorted, o.key);
  return { filtered, sorted, foreignKeys };
}

/**
 * The many2one column a relation hop joins on: the field itself for a many2one, the target's
 * inverse for a one2many / one2one. Many2many link tables are made with their indexes by `sync`.
 */
function foreignKeyOf(via: FieldMeta): FieldMeta | undefined {
  if (via.kind === "many2one") return via;
  if ((via.kind === "one2many" || via.kind === "one2one") && via.inverse) return via.inverse();
  return undefined;
}
