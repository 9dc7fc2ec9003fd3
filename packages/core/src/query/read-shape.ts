import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { type CondNode, type OrderNode, type SelectItem, type SelectNode, ast } from "./ast.js";
import { checkCount, checkLock, planFilter, planRead, type ReadRequest } from "./plan-read.js";

/**
 * What {@link planRead} derives from a request's shape alone (fields, nested, order, sort): planned
 * once per shape and model, frozen, and shared by every read of that shape.
 */
interface ReadShape {
  readonly items: readonly SelectItem[];
  readonly computed?: readonly FieldMeta[];
  readonly loadOnly?: readonly string[];
  readonly order: readonly OrderNode[];
  readonly names: readonly string[];
  readonly explicit: boolean;
  readonly nestedNames: readonly string[];
  readonly strictOrder: boolean;
}

/** Shapes kept per model; past this the oldest is dropped. */
export const maxShapesPerModel = 256;
/** Longest name or order string a key takes; a longer one is planned on every call. */
const maxText = 128;
/** Most names, options and numbers in one key. */
const maxTokens = 96;
/** Deepest nesting a key follows. */
const maxDepth = 6;

const shapes = new WeakMap<ModelMeta, Map<string, ReadShape>>();
let planned = 0;
const noAnnotations: readonly FieldMeta[] = Object.freeze([]);

/** How many read shapes have been planned (a repeated shape is planned once; for tests). */
export function plannedShapes(): number {
  return planned;
}

/** How many read shapes of `model` are kept (for tests). */
export function keptShapes(model: ModelMeta): number {
  return shapes.get(model)?.size ?? 0;
}

/**
 * {@link planRead} with the request's shape planned once: `fields`, `nested` (without filters), `order`
 * and `sort` are read by a strict, bounded walk into a key, and the items and order planned for the
 * key are reused; the filter, `extra`, limit, offset and lock are checked and planned on every call,
 * exactly as `planRead` does. A request the walk does not take (annotations, distinct, a nested filter,
 * getters, class instances, long names, deep or large specs) is planned as it always was, and a shape
 * whose planning fails is never kept: it fails the same way every time.
 */
export function planReadShaped(model: ModelMeta, req: ReadRequest, extra?: CondNode): SelectNode {
  const walked = walkRequest(req);
  if (walked === undefined) return planRead(model, req, extra);
  let kept = shapes.get(model);
  let shape = kept?.get(walked.key);
  if (shape === undefined) {
    try {
      shape = planShape(model, walked.copy);
    } catch {
      // today's path, with the caller's own request: its error, every time
      return planRead(model, req, extra);
    }
    if (!kept) shapes.set(model, (kept = new Map()));
    if (kept.size >= maxShapesPerModel) kept.delete(kept.keys().next().value as string);
    kept.set(walked.key, shape);
  }
  // the values of the call, checked in planRead's order: the filter first, then limit, offset and lock
  const filter = planFilter(model, req.filter);
  const select: SelectNode = {
    kind: "select",
    model,
    items: shape.items,
    computed: shape.computed,
    loadOnly: shape.loadOnly,
    where: ast.and([extra, filter]),
    order: shape.order,
    limit: checkCount("limit", req.limit),
    offset: checkCount("offset", req.offset),
    ...(req.lock === undefined ? {} : { lock: checkLock(req.lock) }),
    plan: {
      extra,
      filter,
      annotations: noAnnotations,
      names: shape.names,
      explicit: shape.explicit,
      nestedNames: shape.nestedNames,
      strictOrder: shape.strictOrder,
    },
  };
  return select;
}

/** Plans the shape of `copy` (no values) and freezes what is kept. */
function planShape(model: ModelMeta, copy: ReadRequest): ReadShape {
  const select = planRead(model, copy);
  const plan = select.plan as NonNullable<SelectNode["plan"]>;
  planned++;
  return Object.freeze({
    items: frozenItems(select.items),
    computed: select.computed && Object.freeze([...select.computed]),
    loadOnly: select.loadOnly && Object.freeze([...select.loadOnly]),
    order: frozenOrder(select.order),
    names: Object.freeze([...plan.names]),
    explicit: plan.explicit,
    nestedNames: Object.freeze([...plan.nestedNames]),
    strictOrder: plan.strictOrder,
  });
}

function frozenOrder(order: readonly OrderNode[]): readonly OrderNode[] {
  return Object.freeze(order.map((o) => Object.freeze({ ...o })));
}

function frozenItems(items: readonly SelectItem[]): readonly SelectItem[] {
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

// ---- the walk ------------------------------------------------------------------------------------

/** Thrown inside the walk: the request is not taken (planned as it always was). */
const refused: unique symbol = Symbol("refused");

class Walk {
  key = "";
  tokens = 0;
  count(): void {
    if (++this.tokens > maxTokens) throw refused;
  }
  text(s: unknown): string {
    if (typeof s !== "string" || s.length > maxText) throw refused;
    this.count();
    // length-prefixed: no name can end early or run into the next
    this.key += `${s.length}:${s}`;
    return s;
  }
}

/** Root keys of a request the walk reads; the values a call carries are not part of the key. */
const rootShape = ["fields", "nested", "order", "sort"] as const;
/** Root keys whose presence (a defined value) means the request is planned as it always was. */
const rootRefused = ["annotations", "distinct"] as const;

/** The key of `req`'s shape and a plain copy of it (what is planned), or undefined when the walk does not take it. */
function walkRequest(req: unknown): { key: string; copy: ReadRequest } | undefined {
  if (!isPlainObject(req)) return undefined;
  try {
    for (const k of rootRefused) if (own(req, k) !== undefined) return undefined;
    const w = new Walk();
    const copy: Record<string, unknown> = {};
    for (const k of rootShape) {
      const value = own(req, k);
      if (value === undefined) continue;
      w.key += k[0] as string;
      if (k === "fields") copy.fields = names(w, value);
      else if (k === "nested") copy.nested = nestedMap(w, value, 1);
      else copy[k] = orderText(w, value);
    }
    return { key: w.key, copy };
  } catch (e) {
    if (e === refused) return undefined;
    throw e;
  }
}

/** An order or sort: a string, or null (no order). */
function orderText(w: Walk, value: unknown): string | null {
  if (value === null) {
    w.key += "~";
    return null;
  }
  return w.text(value);
}

/** A list of field names. */
function names(w: Walk, value: unknown): string[] {
  if (!isPlainArray(value)) throw refused;
  w.key += "[";
  const out: string[] = [];
  for (let i = 0; i < value.length; i++) out.push(w.text(own(value, i)));
  w.key += "]";
  return out;
}

/** `{ relation: spec }`. */
function nestedMap(w: Walk, value: unknown, depth: number): Record<string, unknown> {
  if (!isPlainObject(value) || depth > maxDepth) throw refused;
  w.key += "{";
  // no prototype: a name is only ever an own key of the copy
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(value)) {
    // a `__proto__` key is planned as it always was (and refused there)
    if (k === "__proto__") throw refused;
    w.text(k);
    out[k] = nestedSpec(w, own(value, k), depth);
  }
  w.key += "}";
  return out;
}

/** Options a nested spec's key takes (a filter is a value: a nested spec with one is not taken). */
const nestedShape = new Set(["fields", "nested", "order", "sort", "limit", "offset", "filter"]);

/** A nested spec: `true`, a list of names and inline maps, or an options object. */
function nestedSpec(w: Walk, spec: unknown, depth: number): unknown {
  w.count();
  if (spec === true) {
    w.key += "T";
    return true;
  }
  if (isPlainArray(spec)) return inlineList(w, spec, depth);
  if (!isPlainObject(spec)) throw refused;
  w.key += "(";
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(spec)) {
    if (!nestedShape.has(k)) throw refused;
    const value = own(spec, k);
    if (value === undefined) continue;
    if (k === "filter") throw refused;
    w.key += k[0] === "o" ? (k === "order" ? "o" : "x") : (k[0] as string);
    if (k === "fields") out.fields = isPlainArray(value) ? inlineList(w, value, depth) : refuse();
    else if (k === "nested") out.nested = nestedMap(w, value, depth + 1);
    else if (k === "limit" || k === "offset") out[k] = count(w, value);
    else out[k] = orderText(w, value);
  }
  w.key += ")";
  return out;
}

/** `["name", { relation: spec }]`: names and inline maps of deeper relations. */
function inlineList(w: Walk, list: readonly unknown[], depth: number): unknown[] {
  w.key += "[";
  const out: unknown[] = [];
  for (let i = 0; i < list.length; i++) {
    const x = own(list, i);
    if (typeof x === "string") out.push(w.text(x));
    else out.push(nestedMap(w, x, depth + 1));
  }
  w.key += "]";
  return out;
}

/** A nested limit or offset: part of the shape (the SQL of a nested page depends on it). */
function count(w: Walk, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw refused;
  w.count();
  w.key += `#${value};`;
  return value;
}

function refuse(): never {
  throw refused;
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isPlainArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype && value.length <= maxTokens;
}

const lookupGetter = (Object.prototype as unknown as { __lookupGetter__(k: PropertyKey): unknown }).__lookupGetter__;

/**
 * `o[k]`, read once (the key and the planned copy both come from this one read); a value behind a
 * getter is refused.
 */
function own(o: object, k: string | number): unknown {
  const value = (o as Record<string | number, unknown>)[k];
  if (value !== undefined && lookupGetter.call(o, k as string) !== undefined) throw refused;
  return value;
}
