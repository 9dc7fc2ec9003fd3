import { AccessDenied } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import {
  type AggregateNode,
  type CondNode,
  type CountNode,
  type OrderNode,
  type PathHop,
  type SelectItem,
  type SelectNode,
  ast,
} from "../query/ast.js";
import { aggregateField, computedOf, pathField } from "../query/computed-fields.js";
import { exprFields } from "../query/expressions.js";
import { planDistinct } from "../query/plan-distinct.js";
import { type ReadRequest, columnItems, dependencies, readOrder, strictOrder } from "../query/plan-read.js";
import type { AccessGate } from "./access-gate.js";

/** A planned read: a select, a count or an aggregate, as `query/` built it. */
export type PlannedRead = SelectNode | CountNode | AggregateNode;

/**
 * Applies access to a planned read in one step and returns the secured read: the read rule of the
 * model, of every nested model, of every model a dotted path, a `__` path or an annotation reaches,
 * and of the rows behind id lists ANDed in; fields the session may not read left out of a default
 * field list or order and refused ({@link AccessDenied}) when the caller named them, in the select
 * list, a filter, an order, a path, a group key or an aggregate. Without a gate (no checker, or
 * `sudo`) the planned read is returned as it is, with no async work.
 *
 * @example
 * const select = await secureRead(planRead(model, { filter, order }), db.accessGate());
 */
export function secureRead<N extends PlannedRead>(node: N, gate: AccessGate | undefined): N | Promise<N> {
  if (!gate) return node;
  const fields = new Map<FieldMeta, Promise<FieldMeta>>();
  switch (node.kind) {
    case "select":
      return secureSelect(gate, node, fields) as Promise<N>;
    case "count":
      return secureCount(gate, node, fields) as Promise<N>;
    default:
      return secureAggregate(gate, node as AggregateNode, fields) as Promise<N>;
  }
}

/**
 * Plans a read of `model` with `plan` and secures it (see {@link secureRead}), refusing a session
 * that may not read the model at all before the request is planned: planning errors name fields,
 * so answering them first would tell such a session which fields the model has. The read rule is
 * asked once (the gate keeps the answer for the secure step).
 *
 * @example
 * const select = await planSecured(model, db.accessGate(), () => planRead(model, req));
 */
export function planSecured<N extends PlannedRead>(
  model: ModelMeta,
  gate: AccessGate | undefined,
  plan: () => N,
): N | Promise<N> {
  if (!gate) return plan();
  return gate.rule(model, "read").then(() => secureRead(plan(), gate));
}

/**
 * The order of a keyset page or stream (the model's own columns, `readOrder(.., false)`), checked
 * as a read's order is: the cursor is built from it, so it is secured before the read is planned.
 */
export async function secureKeysetOrder(
  model: ModelMeta,
  req: ReadRequest,
  gate: AccessGate | undefined,
): Promise<OrderNode[]> {
  const order = readOrder(model, req, false);
  return gate ? checkOrder(gate, model, order, strictOrder(model, req)) : order;
}

/** Secured stand-ins of the call's computed fields (paths, annotations), each secured once. */
type Secured = Map<FieldMeta, Promise<FieldMeta>>;

async function secureSelect(gate: AccessGate, node: SelectNode, fields: Secured): Promise<SelectNode> {
  const plan = node.plan;
  // a select core built itself (no plan) carries its own conditions
  if (!plan) return node;
  if (plan.distinct)
    return planDistinct(
      await secureSelect(gate, plan.distinct.base, fields),
      plan.distinct.fields,
      plan.distinct.ordered,
    );
  const { model } = node;
  const rule = await gate.rule(model, "read");
  await secureAll(gate, plan.annotations, fields);
  const where = ast.and([plan.extra, await secureCond(gate, plan.filter, fields), rule]);
  const { names, nestedNames } = plan;
  const denied = await gate.deniedFields(model, "read", [
    ...new Set([...names, ...nestedNames, ...names.flatMap((n) => dependencies(model, n))]),
  ]);
  let planned: Pick<SelectNode, "items" | "computed" | "loadOnly"> = node;
  if (denied.size > 0) {
    // a computed field that depends on a field the session may not read is itself denied
    const isDenied = (n: string) => denied.has(n) || dependencies(model, n).some((d) => denied.has(d));
    const bad = (plan.explicit ? [...names, ...nestedNames] : nestedNames).find(isDenied);
    if (bad)
      throw new AccessDenied(`reading ${model.table}.${bad} is not allowed for this session`, model.table, "read", bad);
    const kept = names.filter((n) => !isDenied(n));
    if (kept.length < names.length) {
      const base = columnItems(model, kept, nestedNames);
      const rest = node.items.filter((i) => !isBase(i));
      planned = {
        items: [...base.items, ...rest],
        computed: base.computed,
        loadOnly: base.loadOnly.length > 0 ? base.loadOnly : undefined,
      };
    }
  }
  const items: SelectItem[] = [];
  for (const item of planned.items) items.push(await secureItem(gate, item, fields));
  const order = await checkOrder(gate, model, await secureOrder(gate, node.order, fields), plan.strictOrder);
  return { ...node, ...planned, items, where, order };
}

/** Columns, computed fields and id lists of the model itself (what a withheld field removes). */
const isBase = (item: SelectItem): boolean => item.kind === "ids" || (item.kind === "column" && !pathLike(item.field));

/** A path or an annotation (a date part keeps its field's name and model, and reaches no other rows). */
function pathLike(field: FieldMeta): boolean {
  const computed = computedOf(field);
  return computed !== undefined && computed.kind !== "datePart";
}

async function secureItem(gate: AccessGate, item: SelectItem, fields: Secured): Promise<SelectItem> {
  switch (item.kind) {
    // the ids of related rows follow the target's read rule, as nested reads do
    case "ids":
      return { ...item, where: await gate.rule(item.field.target(), "read") };
    case "nested":
      return { ...item, sub: await secureSelect(gate, item.sub, fields) };
    default:
      return pathLike(item.field) ? { kind: "column", field: await secureField(gate, item.field, fields) } : item;
  }
}

async function secureOrder(gate: AccessGate, order: readonly OrderNode[], fields: Secured): Promise<OrderNode[]> {
  const out: OrderNode[] = [];
  for (const o of order)
    out.push(pathLike(o.field) ? { field: await secureField(gate, o.field, fields), desc: o.desc } : o);
  return out;
}

/**
 * Sorting by a field the session may not read would leak its values through the row order: an
 * order the caller gave is refused, the model's default order leaves such terms out.
 */
async function checkOrder(
  gate: AccessGate,
  model: ModelMeta,
  order: OrderNode[],
  strict: boolean,
): Promise<OrderNode[]> {
  const names = order.map((o) => o.field.name);
  if (strict) {
    await gate.assertFields(model, "read", names);
    return order;
  }
  const denied = await gate.deniedFields(model, "read", names);
  return denied.size === 0 ? order : order.filter((o) => !denied.has(o.field.name));
}

async function secureCount(gate: AccessGate, node: CountNode, fields: Secured): Promise<CountNode> {
  if (!node.plan) return node;
  await secureAll(gate, node.plan.annotations, fields);
  const filter = await secureCond(gate, node.plan.filter, fields);
  return { ...node, where: ast.and([filter, await gate.rule(node.model, "read")]) };
}

async function secureAggregate(gate: AccessGate, node: AggregateNode, fields: Secured): Promise<AggregateNode> {
  if (!node.plan) return node;
  const groupBy: SelectItem[] = [];
  for (const item of node.groupBy)
    groupBy.push(item.kind === "nested" ? { ...item, sub: await secureSelect(gate, item.sub, fields) } : item);
  await gate.assertFields(node.model, "read", node.plan.fields);
  const filter = await secureCond(gate, node.plan.filter, fields);
  return { ...node, groupBy, where: ast.and([filter, await gate.rule(node.model, "read")]) };
}

/** Secures the computed fields in order (their checks run one after the other, as they are listed). */
async function secureAll(gate: AccessGate, list: readonly FieldMeta[], fields: Secured): Promise<void> {
  for (const field of list) await secureField(gate, field, fields);
}

/**
 * The secured stand-in of a path or annotation: each hop's relation field and the leaf must be
 * readable, and each reached model's read rule is on its hop (a row it hides reads as NULL, or is
 * not counted).
 */
function secureField(gate: AccessGate, field: FieldMeta, fields: Secured): Promise<FieldMeta> {
  let secured = fields.get(field);
  if (!secured) fields.set(field, (secured = securePath(gate, field)));
  return secured;
}

async function securePath(gate: AccessGate, field: FieldMeta): Promise<FieldMeta> {
  const computed = computedOf(field);
  if (computed?.kind === "relAggregate") {
    const { via } = computed.hop;
    const target = via.target();
    await gate.assertFields(field.model, "read", [via.name]);
    await gate.assertFields(target, "read", [computed.field.name]);
    return aggregateField(
      field.model,
      field.name,
      { via, where: await gate.rule(target, "read") },
      computed.fn,
      computed.field,
    );
  }
  if (computed?.kind !== "path") return field;
  const hops: PathHop[] = [];
  let current = field.model;
  for (const { via } of computed.hops) {
    await gate.assertFields(current, "read", [via.name]);
    const target = via.target();
    hops.push({ via, where: await gate.rule(target, "read") });
    current = target;
  }
  await gate.assertFields(current, "read", [computed.leaf.name]);
  return pathField(field.model, field.name, hops, computed.leaf);
}

/**
 * A filter with each dotted path's target rule ANDed into its EXISTS and annotations replaced by
 * their secured stand-ins. Filtering on a field the session may not read is refused: the matches
 * would reveal its values.
 */
async function secureCond(
  gate: AccessGate,
  cond: CondNode | undefined,
  fields: Secured,
): Promise<CondNode | undefined> {
  return cond && ast.seal(await guard(gate, cond, fields));
}

/** Secures a caller's filter for a write's scope (see `secureWrite`). */
export function secureFilter(gate: AccessGate, cond: CondNode | undefined): Promise<CondNode | undefined> {
  return secureCond(gate, cond, new Map());
}

async function guard(gate: AccessGate, node: CondNode, fields: Secured): Promise<CondNode> {
  switch (node.kind) {
    case "and":
    case "or":
      return { kind: node.kind, items: await Promise.all(node.items.map((i) => guard(gate, i, fields))) };
    case "not":
      return { kind: "not", item: await guard(gate, node.item, fields) };
    case "exists": {
      await gate.assertFields(node.via.model, "read", [node.via.name]);
      const rule = await gate.rule(node.via.target(), "read");
      return { kind: "exists", via: node.via, cond: ast.and([await guard(gate, node.cond, fields), rule]) as CondNode };
    }
    case "const":
      return node;
    case "cmpExpr":
      await gate.assertFields(node.field.model, "read", [node.field.name, ...exprFields(node.expr).map((f) => f.name)]);
      return node;
    default: {
      await gate.assertFields(node.field.model, "read", [node.field.name]);
      // an annotation in a filter is compared under the related model's rule, as it is selected
      return pathLike(node.field) ? { ...node, field: await secureField(gate, node.field, fields) } : node;
    }
  }
}
