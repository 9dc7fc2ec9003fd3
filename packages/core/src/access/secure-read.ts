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
import { type AccessGate, assertAllowed } from "./access-gate.js";
import { type Maybe, type Steps, drive } from "./steps.js";

/** A planned read: a select, a count or an aggregate, as `query/` built it. */
export type PlannedRead = SelectNode | CountNode | AggregateNode;

/**
 * Applies access to a planned read in one step and returns the secured read: the read rule of the
 * model, of every nested model, of every model a dotted path, a `__` path or an annotation reaches,
 * and of the rows behind id lists ANDed in; fields the session may not read left out of a default
 * field list or order and refused ({@link AccessDenied}) when the caller named them, in the select
 * list, a filter, an order, a path, a group key or an aggregate. Without a gate (no checker, or
 * `sudo`) the planned read is returned as it is, with no async work; with a checker that answers at
 * once (a `rolesChecker` whose configuration is loaded) the secured read is returned as it is too,
 * without a promise per question; otherwise a promise of it.
 *
 * @example
 * const select = await secureRead(planRead(model, { filter, order }), db.accessGate());
 */
export function secureRead<N extends PlannedRead>(node: N, gate: AccessGate | undefined): N | Promise<N> {
  if (!gate) return node;
  return drive(securePlanned(gate, node));
}

function securePlanned<N extends PlannedRead>(gate: AccessGate, node: N): Steps<N> {
  const fields: Secured = new Map();
  switch (node.kind) {
    case "select":
      return secureSelect(gate, node, fields) as Steps<N>;
    case "count":
      return secureCount(gate, node, fields) as Steps<N>;
    default:
      return secureAggregate(gate, node as AggregateNode, fields) as Steps<N>;
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
  return drive(
    (function* () {
      yield gate.ruleNow(model, "read");
      return yield* securePlanned(gate, plan());
    })(),
  );
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
  return gate ? drive(checkOrder(gate, model, order, strictOrder(model, req))) : order;
}

/** Secured stand-ins of the call's computed fields (paths, annotations), each secured once. */
type Secured = Map<FieldMeta, Maybe<FieldMeta>>;

function* secureSelect(gate: AccessGate, node: SelectNode, fields: Secured): Steps<SelectNode> {
  const plan = node.plan;
  // a select core built itself (no plan) carries its own conditions
  if (!plan) return node;
  if (plan.distinct)
    return planDistinct(
      yield* secureSelect(gate, plan.distinct.base, fields),
      plan.distinct.fields,
      plan.distinct.ordered,
    );
  const { model } = node;
  const rule: CondNode | undefined = yield gate.ruleNow(model, "read");
  yield* secureAll(gate, plan.annotations, fields);
  const where = ast.and([plan.extra, yield* secureCond(gate, plan.filter, fields), rule]);
  const { names, nestedNames } = plan;
  const denied: ReadonlySet<string> = yield gate.deniedNow(model, "read", [
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
  for (const item of planned.items) items.push(yield* secureItem(gate, item, fields));
  const order = yield* checkOrder(gate, model, yield* secureOrder(gate, node.order, fields), plan.strictOrder);
  return { ...node, ...planned, items, where, order };
}

/** Columns, computed fields and id lists of the model itself (what a withheld field removes). */
const isBase = (item: SelectItem): boolean => item.kind === "ids" || (item.kind === "column" && !pathLike(item.field));

/** A path or an annotation (a date part keeps its field's name and model, and reaches no other rows). */
function pathLike(field: FieldMeta): boolean {
  const computed = computedOf(field);
  return computed !== undefined && computed.kind !== "datePart";
}

function* secureItem(gate: AccessGate, item: SelectItem, fields: Secured): Steps<SelectItem> {
  switch (item.kind) {
    // the ids of related rows follow the target's read rule, as nested reads do
    case "ids":
      return { ...item, where: yield gate.ruleNow(item.field.target(), "read") };
    case "nested":
      return { ...item, sub: yield* secureSelect(gate, item.sub, fields) };
    default:
      return pathLike(item.field) ? { kind: "column", field: yield secureField(gate, item.field, fields) } : item;
  }
}

function* secureOrder(gate: AccessGate, order: readonly OrderNode[], fields: Secured): Steps<OrderNode[]> {
  const out: OrderNode[] = [];
  for (const o of order)
    out.push(pathLike(o.field) ? { field: yield secureField(gate, o.field, fields), desc: o.desc } : o);
  return out;
}

/**
 * Sorting by a field the session may not read would leak its values through the row order: an
 * order the caller gave is refused, the model's default order leaves such terms out.
 */
function* checkOrder(gate: AccessGate, model: ModelMeta, order: OrderNode[], strict: boolean): Steps<OrderNode[]> {
  const names = order.map((o) => o.field.name);
  if (strict) {
    yield* assertFields(gate, model, names);
    return order;
  }
  const denied: ReadonlySet<string> = yield gate.deniedNow(model, "read", names);
  return denied.size === 0 ? order : order.filter((o) => !denied.has(o.field.name));
}

function* secureCount(gate: AccessGate, node: CountNode, fields: Secured): Steps<CountNode> {
  if (!node.plan) return node;
  yield* secureAll(gate, node.plan.annotations, fields);
  const filter = yield* secureCond(gate, node.plan.filter, fields);
  return { ...node, where: ast.and([filter, yield gate.ruleNow(node.model, "read")]) };
}

function* secureAggregate(gate: AccessGate, node: AggregateNode, fields: Secured): Steps<AggregateNode> {
  if (!node.plan) return node;
  const groupBy: SelectItem[] = [];
  for (const item of node.groupBy)
    groupBy.push(item.kind === "nested" ? { ...item, sub: yield* secureSelect(gate, item.sub, fields) } : item);
  yield* assertFields(gate, node.model, node.plan.fields);
  const filter = yield* secureCond(gate, node.plan.filter, fields);
  return { ...node, groupBy, where: ast.and([filter, yield gate.ruleNow(node.model, "read")]) };
}

/** Secures the computed fields in order (their checks run one after the other, as they are listed). */
function* secureAll(gate: AccessGate, list: readonly FieldMeta[], fields: Secured): Steps<void> {
  for (const field of list) yield secureField(gate, field, fields);
}

/** Throws {@link AccessDenied} when the session may not read one of `names` on `model`. */
function* assertFields(gate: AccessGate, model: ModelMeta, names: readonly string[]): Steps<void> {
  assertAllowed(model, "read", names, yield gate.deniedNow(model, "read", names));
}

/**
 * The secured stand-in of a path or annotation: each hop's relation field and the leaf must be
 * readable, and each reached model's read rule is on its hop (a row it hides reads as NULL, or is
 * not counted).
 */
function secureField(gate: AccessGate, field: FieldMeta, fields: Secured): Maybe<FieldMeta> {
  let secured = fields.get(field);
  if (!secured) fields.set(field, (secured = drive(securePath(gate, field))));
  return secured;
}

function* securePath(gate: AccessGate, field: FieldMeta): Steps<FieldMeta> {
  const computed = computedOf(field);
  if (computed?.kind === "relAggregate") {
    const { via } = computed.hop;
    const target = via.target();
    yield* assertFields(gate, field.model, [via.name]);
    yield* assertFields(gate, target, [computed.field.name]);
    return aggregateField(
      field.model,
      field.name,
      { via, where: yield gate.ruleNow(target, "read") },
      computed.fn,
      computed.field,
    );
  }
  if (computed?.kind !== "path") return field;
  const hops: PathHop[] = [];
  let current = field.model;
  for (const { via } of computed.hops) {
    yield* assertFields(gate, current, [via.name]);
    const target = via.target();
    hops.push({ via, where: yield gate.ruleNow(target, "read") });
    current = target;
  }
  yield* assertFields(gate, current, [computed.leaf.name]);
  return pathField(field.model, field.name, hops, computed.leaf);
}

/**
 * A filter with each dotted path's target rule ANDed into its EXISTS and annotations replaced by
 * their secured stand-ins. Filtering on a field the session may not read is refused: the matches
 * would reveal its values.
 */
function* secureCond(gate: AccessGate, cond: CondNode | undefined, fields: Secured): Steps<CondNode | undefined> {
  return cond && ast.seal(yield* guard(gate, cond, fields));
}

/** Secures a caller's filter for a write's scope (see `secureWrite`). */
export async function secureFilter(gate: AccessGate, cond: CondNode | undefined): Promise<CondNode | undefined> {
  return drive(secureCond(gate, cond, new Map()));
}

function* guard(gate: AccessGate, node: CondNode, fields: Secured): Steps<CondNode> {
  switch (node.kind) {
    case "and":
    case "or": {
      const items: CondNode[] = [];
      for (const item of node.items) items.push(yield* guard(gate, item, fields));
      return { kind: node.kind, items };
    }
    case "not":
      return { kind: "not", item: yield* guard(gate, node.item, fields) };
    case "exists": {
      yield* assertFields(gate, node.via.model, [node.via.name]);
      const rule: CondNode | undefined = yield gate.ruleNow(node.via.target(), "read");
      return {
        kind: "exists",
        via: node.via,
        cond: ast.and([yield* guard(gate, node.cond, fields), rule]) as CondNode,
      };
    }
    case "const":
      return node;
    case "cmpExpr":
      yield* assertFields(gate, node.field.model, [node.field.name, ...exprFields(node.expr).map((f) => f.name)]);
      return node;
    default: {
      yield* assertFields(gate, node.field.model, [node.field.name]);
      // an annotation in a filter is compared under the related model's rule, as it is selected
      return pathLike(node.field) ? { ...node, field: yield secureField(gate, node.field, fields) } : node;
    }
  }
}
