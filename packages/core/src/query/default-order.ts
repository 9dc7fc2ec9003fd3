import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import type { OrderNode } from "./ast.js";

export { checkDefaultOrder } from "../model/default-order.js";

/**
 * The model's default order as order nodes, or undefined when it has none; `reversed` flips every
 * term (a read that gives `sort: "desc"` and no `order`, a query set's `reverse()` or `last()`).
 */
export function defaultOrder(model: ModelMeta, reversed: boolean): OrderNode[] | undefined {
  const order = model.options.order;
  if (!order) return undefined;
  return order.map((t) => {
    const desc = t.startsWith("-");
    return { field: model.fields.get(desc ? t.slice(1) : t) as FieldMeta, desc: desc !== reversed };
  });
}
