import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { type CondNode, type OrderNode, type SelectItem, type SelectNode, ast } from "./ast.js";
import { frozenItems, frozenOrder } from "./frozen-select.js";
import { checkCount, checkLock, planFilter, planRead, type ReadRequest } from "./plan-read.js";
import { type TokenNode, type TokenTrie, keepUnder } from "./token-trie.js";

/**
 * What {@link planRead} derives from a request's shape alone (fields, nested, order, sort): planned
 * once per shape and model, frozen, and shared by every read of that shape.
 */
export interface ReadShape {
  readonly items: readonly SelectItem[];
  readonly computed?: readonly FieldMeta[];
  readonly loadOnly?: readonly string[];
  readonly order: readonly OrderNode[];
  readonly names: readonly string[];
  readonly explicit: boolean;
  readonly nestedNames: readonly string[];
  readonly strictOrder: boolean;
}

/** Shapes kept per model; past this they are dropped all at once. */
export const maxShapesPerModel = 256;
/** Longest name or order string the walk takes; a request with a longer one is planned on every call. */
const maxText = 128;
/** Most tokens (names, markers, numbers) of one walk. */
const maxTokens = 160;
/** Deepest nesting the walk follows. */
const maxDepth = 6;

/** A node of a model's shape trie: the next node by token, and the shape ending here. */
type ShapeNode = TokenNode<ReadShape>;
/** A model's kept shapes: a trie by the tokens of the walk, and how many shapes it holds. */
type ShapeTrie = TokenTrie<ReadShape>;

const shapes = new WeakMap<ModelMeta, ShapeTrie>();
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
 * and `sort` are read by a strict, bounded walk into tokens, and the items and order planned for those
 * tokens are reused; the filter, `extra`, limit, offset and lock are checked and planned on every call,
 * exactly as `planRead` does. A request the walk does not take (annotations, distinct, a nested filter,
 * getters, class instances, long names, deep or large specs) is planned as it always was, and a shape
 * whose planning fails is never kept: it fails the same way every time.
 */
export function planReadShaped(model: ModelMeta, req: ReadRequest, extra?: CondNode): SelectNode {
  const shape = readShapeOf(model, req);
  // not taken, or failing: today's path, with the caller's own request (its error, every time)
  if (shape === undefined) return planRead(model, req, extra);
  // the values of the call, checked in planRead's order: the filter first, then limit, offset and lock
  const filter = planFilter(model, req.filter);
  return shapedSelect(model, shape, req, extra, filter, ast.and([extra, filter]));
}

/**
 * The kept shape of `req` (planned and kept on first use), or undefined when the walk does not take
 * the request or its shape fails to plan (nothing is kept then).
 */
export function readShapeOf(model: ModelMeta, req: ReadRequest): ReadShape | undefined {
  let trie = shapes.get(model);
  const found = walkRequest(req, new Walk(trie?.root));
  if (found === refusedShape) return undefined;
  if (found !== undefined) return found;
  // planned from a plain copy of the request taken by a second walk, which also gives the tokens
  // the shape is kept under: what is kept is what its tokens say (a proxy answering differently
  // from one walk to the next changes nothing)
  const w = new Walk(undefined);
  let shape: ReadShape;
  try {
    if (walkRequest(req, w) === refusedShape) return undefined;
    shape = planShape(model, w.copy);
  } catch {
    return undefined;
  }
  if (!trie || trie.size >= maxShapesPerModel) shapes.set(model, (trie = { root: {}, size: 0 }));
  keepUnder(trie, w.tokens as unknown[], shape);
  return shape;
}

/**
 * The select of a kept `shape` with the call's values: `filter` and `where` as the caller planned them,
 * then limit, offset and lock checked as planRead checks them.
 */
export function shapedSelect(
  model: ModelMeta,
  shape: ReadShape,
  req: { readonly limit?: unknown; readonly offset?: unknown; readonly lock?: unknown },
  extra: CondNode | undefined,
  filter: CondNode | undefined,
  where: CondNode | undefined,
): SelectNode {
  return {
    kind: "select",
    model,
    items: shape.items,
    computed: shape.computed,
    loadOnly: shape.loadOnly,
    where,
    order: shape.order,
    limit: checkCount("limit", req.limit),
    offset: checkCount("offset", req.offset),
    ...(req.lock === undefined ? undefined : { lock: checkLock(req.lock) }),
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

// ---- the walk ------------------------------------------------------------------------------------

/** Thrown inside the walk: the request is not taken (planned as it always was). */
const refused: unique symbol = Symbol("refused");
/** Thrown inside a looking-up walk: no shape kept has these tokens so far. */
const unknownShape: unique symbol = Symbol("unknown shape");
/** What {@link walkRequest} answers for a request it does not take. */
const refusedShape: unique symbol = Symbol("refused shape");

// Markers of the walk's tokens: numbers, where names are strings; a number that is a value (a nested
// limit or offset) only ever follows its marker. So no two shapes have the same tokens.
const fieldsMark = -1;
const nestedMark = -2;
const orderMark = -3;
const sortMark = -4;
const listOpen = -5;
const listClose = -6;
const mapOpen = -7;
const mapClose = -8;
const wholeMark = -9;
const optionsOpen = -10;
const optionsClose = -11;
const nullMark = -12;
const optionMarks: Readonly<Record<string, number>> = {
  fields: -13,
  nested: -14,
  order: -15,
  sort: -16,
  limit: -17,
  offset: -18,
};

/**
 * One walk of a request: looking its tokens up in a model's trie (every call), or recording them with
 * a plain copy of the shape (on a miss).
 */
class Walk {
  readonly tokens: unknown[] | undefined;
  readonly copy: Record<string, unknown> = {};
  private count = 0;
  constructor(private at: ShapeNode | undefined) {
    this.tokens = at === undefined ? [] : undefined;
  }
  get copying(): boolean {
    return this.tokens !== undefined;
  }
  /** The shape ending where the looking-up walk stands. */
  get shape(): ReadShape | undefined {
    return this.at?.kept;
  }
  step(token: unknown): void {
    if (++this.count > maxTokens) throw refused;
    if (this.tokens) {
      this.tokens.push(token);
      return;
    }
    const next = this.at?.next?.get(token);
    if (next === undefined) throw unknownShape;
    this.at = next;
  }
  text(s: unknown): string {
    if (typeof s !== "string" || s.length > maxText) throw refused;
    this.step(s);
    return s;
  }
}

/**
 * Walks the shape of `req` (fields, nested, order, sort; `annotations` and `distinct` must be absent),
 * each read once, the values a call carries not at all: the shape kept under its tokens (undefined
 * when there is none yet, or when recording), or {@link refusedShape} when the walk does not take it.
 */
function walkRequest(req: unknown, w: Walk): ReadShape | undefined | typeof refusedShape {
  if (!isPlainObject(req)) return refusedShape;
  const r = req as ReadRequest;
  const copy = w.copying ? w.copy : undefined;
  try {
    if (own(r, "annotations", r.annotations) !== undefined || own(r, "distinct", r.distinct) !== undefined)
      return refusedShape;
    // the four parts written out, not a loop over a table: this runs on every read (a loop measured
    // 0.3-2 µs more per call on MariaDB's own-work bench)
    const fields = own(r, "fields", r.fields);
    if (fields !== undefined) {
      w.step(fieldsMark);
      const out = names(w, fields);
      if (copy) copy.fields = out;
    }
    const nested = own(r, "nested", r.nested);
    if (nested !== undefined) {
      w.step(nestedMark);
      const out = nestedMap(w, nested, 1);
      if (copy) copy.nested = out;
    }
    const order = own(r, "order", r.order);
    if (order !== undefined) {
      w.step(orderMark);
      const out = orderText(w, order);
      if (copy) copy.order = out;
    }
    const sort = own(r, "sort", r.sort);
    if (sort !== undefined) {
      w.step(sortMark);
      const out = orderText(w, sort);
      if (copy) copy.sort = out;
    }
    return w.shape;
  } catch (e) {
    if (e === unknownShape) return undefined;
    if (e === refused) return refusedShape;
    throw e;
  }
}

/** An order or sort: a string, or null (no order). */
function orderText(w: Walk, value: unknown): string | null {
  if (value === null) {
    w.step(nullMark);
    return null;
  }
  return w.text(value);
}

/** A list of field names. */
function names(w: Walk, value: unknown): string[] | undefined {
  if (!isPlainArray(value)) throw refused;
  w.step(listOpen);
  const out: string[] | undefined = w.copying ? [] : undefined;
  for (let i = 0; i < value.length; i++) {
    const name = w.text(own(value, i, value[i]));
    out?.push(name);
  }
  w.step(listClose);
  return out;
}

/** `{ relation: spec }`. */
function nestedMap(w: Walk, value: unknown, depth: number): Record<string, unknown> | undefined {
  if (!isPlainObject(value) || depth > maxDepth) throw refused;
  w.step(mapOpen);
  // no prototype: a name is only ever an own key of the copy
  const out: Record<string, unknown> | undefined = w.copying ? Object.create(null) : undefined;
  const map = value as Record<string, unknown>;
  for (const k of Object.keys(map)) {
    // a `__proto__` key is planned as it always was (and refused there)
    if (k === "__proto__") throw refused;
    w.text(k);
    const spec = nestedSpec(w, own(map, k, map[k]), depth);
    if (out) out[k] = spec;
  }
  w.step(mapClose);
  return out;
}

/** Options of a nested spec the walk takes (a filter is a value: a nested spec with one is not taken). */
const nestedShape = new Set(["fields", "nested", "order", "sort", "limit", "offset", "filter"]);

/** A nested spec: `true`, a list of names and inline maps, or an options object. */
function nestedSpec(w: Walk, spec: unknown, depth: number): unknown {
  if (spec === true) {
    w.step(wholeMark);
    return true;
  }
  if (isPlainArray(spec)) return inlineList(w, spec, depth);
  if (!isPlainObject(spec)) throw refused;
  w.step(optionsOpen);
  const out: Record<string, unknown> | undefined = w.copying ? {} : undefined;
  const options = spec as Record<string, unknown>;
  for (const k of Object.keys(options)) {
    if (!nestedShape.has(k)) throw refused;
    const value = own(options, k, options[k]);
    if (value === undefined) continue;
    if (k === "filter") throw refused;
    w.step(optionMarks[k]);
    let copied: unknown;
    if (k === "fields") copied = isPlainArray(value) ? inlineList(w, value, depth) : refuse();
    else if (k === "nested") copied = nestedMap(w, value, depth + 1);
    else if (k === "limit" || k === "offset") copied = count(w, value);
    else copied = orderText(w, value);
    if (out) out[k] = copied;
  }
  w.step(optionsClose);
  return out;
}

/** `["name", { relation: spec }]`: names and inline maps of deeper relations. */
function inlineList(w: Walk, list: readonly unknown[], depth: number): unknown[] | undefined {
  w.step(listOpen);
  const out: unknown[] | undefined = w.copying ? [] : undefined;
  for (let i = 0; i < list.length; i++) {
    const x = own(list, i, list[i]);
    const copied = typeof x === "string" ? w.text(x) : nestedMap(w, x, depth + 1);
    out?.push(copied);
  }
  w.step(listClose);
  return out;
}

/** A nested limit or offset: part of the shape (the SQL of a nested page depends on it). */
function count(w: Walk, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || Object.is(value, -0)) throw refused;
  w.step(value);
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
 * `value`, just read as `o[k]` (each is read once per walk); a value behind a getter is refused. An
 * undefined value is taken as absent, as planning takes it.
 */
function own(o: object, k: string | number, value: unknown): unknown {
  if (value !== undefined && lookupGetter.call(o, k) !== undefined) throw refused;
  return value;
}
