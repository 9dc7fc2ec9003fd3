import { QueryError } from "../errors.js";
import type { OrderNode, SelectNode } from "./ast.js";

/**
 * Turns a planned read into `SELECT DISTINCT` of the listed fields (`distinct().values("a", "b")`,
 * as Django's `values("a").distinct()`): each combination once. `id` is selected only when listed,
 * so the combinations can repeat across records. Only stored fields, many2one paths and annotations
 * can be compared; the order may name listed fields only (a `SELECT DISTINCT` ordered by anything else
 * would sort by a value the result does not hold), and the listed fields break ties, in their order,
 * so a page of combinations is the same on every database. When `id` is listed (or no field is:
 * every field and id), each record is already one combination and the read is left as it is.
 *
 * @example
 * planDistinct(select, ["stage_id"], true); // SELECT DISTINCT t0.stage_id ... ORDER BY stage_id
 */
export function planDistinct(select: SelectNode, fields: readonly unknown[] | undefined, ordered: boolean): SelectNode {
  if (fields === undefined || fields.includes("id")) return select;
  const what = select.model.table;
  if (select.lock) throw new QueryError(`${what}: forUpdate() locks records; distinct() values cannot be locked`);
  const computed = select.computed?.[0];
  if (computed)
    throw new QueryError(
      `${what}: distinct() compares stored fields; "${computed.name}" is computed after the read`,
      computed.name,
    );
  const relation = select.items.find((i) => i.kind !== "column");
  if (relation) {
    throw new QueryError(
      `${what}: distinct() compares stored fields, many2one paths and annotations; "${relation.field.name}" loads related records, not a value`,
      relation.field.name,
    );
  }
  const items = select.items.filter((i) => i.field !== select.model.id);
  if (items.length === 0)
    throw new QueryError(`${what}: distinct() values need at least one field, e.g. values("name")`);
  const listed = new Set(items.map((i) => i.field.name));
  const given = ordered ? select.order : [];
  const stray = given.find((o) => !listed.has(o.field.name));
  if (stray) {
    throw new QueryError(
      `${what}: distinct() values can be ordered by listed fields only; list "${stray.field.name}" in values() or order by another field`,
      stray.field.name,
    );
  }
  const named = new Set(given.map((o) => o.field.name));
  const ties: OrderNode[] = items.filter((i) => !named.has(i.field.name)).map((i) => ({ field: i.field, desc: false }));
  return { ...select, items, order: [...given, ...ties], distinct: true };
}
