import type { OrderNode, SelectItem, SelectNode } from "./ast.js";

/** A frozen copy of an order list and its terms. */
export function frozenOrder(order: readonly OrderNode[]): readonly OrderNode[] {
  return Object.freeze(order.map((o) => Object.freeze({ ...o })));
}

/** A frozen copy of a select list, nested selects included (the model's field metadata is left as it is). */
export function frozenItems(items: readonly SelectItem[]): readonly SelectItem[] {
  return Object.freeze(
    items.map((item) => Object.freeze(item.kind === "nested" ? { ...item, sub: frozenSelect(item.sub) } : { ...item })),
  );
}

/** A frozen copy of a nested select (its nodes and lists; the model's field metadata is left as it is). */
function frozenSelect(node: SelectNode): SelectNode {
  const plan = node.plan;
  return Object.freeze({
    ...node,
    items: frozenItems(node.items),
    order: frozenOrder(node.order),
    computed: node.computed && Object.freeze([...node.computed]),
    loadOnly: node.loadOnly && Object.freeze([...node.loadOnly]),
    plan:
      plan &&
      Object.freeze({
        ...plan,
        annotations: Object.freeze([...plan.annotations]),
        names: Object.freeze([...plan.names]),
        nestedNames: Object.freeze([...plan.nestedNames]),
      }),
  });
}
