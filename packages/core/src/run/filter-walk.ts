import { types } from "node:util";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { tooLong } from "../query/leaf-condition.js";
import type { TokenNode } from "../query/token-trie.js";
import { operators } from "../model/filter-types.js";

/** One condition of a filter as the walk read it: its field name, operator and value. */
export interface FilterLeaf {
  readonly path: string;
  readonly op: string;
  readonly value: unknown;
}

/** Operators whose condition on a field of the model itself is one node on its column (no `any`). */
const leafOps: ReadonlySet<string> = new Set([...operators].filter((op) => op !== "any" && op !== "not any"));
/** Kinds of fields whose conditions cross a relation (an EXISTS): not taken. */
const crossing = new Set(["one2many", "many2many", "one2one"]);
/**
 * Most conditions, nesting and list values of a filter the walk takes: a list's length is part of the
 * skeleton, so longer lists (batch loads of varying size) go through today's path rather than make a
 * template per length.
 */
const maxLeaves = 32;
const maxDepth = 6;
const maxList = 16;

/** Thrown inside the walk: the filter is not taken (it goes through today's path). */
const refused: unique symbol = Symbol("refused filter");
/** Thrown inside a looking-up walk: nothing is kept under these tokens. */
const unknown: unique symbol = Symbol("unknown filter");

// Markers of the walk's tokens: numbers, where names, operators and kinds of values are strings at
// fixed places after a condition's marker; so no two skeletons have the same tokens.
const listOpen = -1;
const listClose = -2;
const andMark = -3;
const orMark = -4;
const notMark = -5;
const conditionMark = -6;
const valuesOpen = -7;
const valuesClose = -8;

/** A node of a trie of skeletons: the next node by token, and what is kept where a skeleton ends. */
export type SkeletonNode<T> = TokenNode<T>;

/**
 * One walk of a filter: looking its tokens up in a trie (every call: each item and value read once,
 * as they are), or recording them with a plain copy of the filter (to build what is kept: then a
 * value behind a getter is refused, so nothing is ever built from one).
 */
export class FilterWalk<T> {
  /** The conditions in order, each value read once (a list value copied). */
  readonly leaves: FilterLeaf[] = [];
  /** The tokens (recording) or undefined (looking up). */
  readonly tokens: unknown[] | undefined;
  /** A plain copy of the filter's items (recording). */
  readonly copy: unknown[] | undefined;
  private count = 0;
  constructor(
    private at: SkeletonNode<T> | undefined,
    readonly model: ModelMeta,
  ) {
    this.tokens = at === undefined ? [] : undefined;
    this.copy = at === undefined ? [] : undefined;
  }
  /** The node where the looking-up walk stands (undefined when recording). */
  get node(): SkeletonNode<T> | undefined {
    return this.at;
  }
  step(token: unknown): void {
    if (++this.count > maxTokens) throw refused;
    if (this.tokens) {
      this.tokens.push(token);
      return;
    }
    const next = this.at?.next?.get(token);
    if (next === undefined) throw unknown;
    this.at = next;
  }
  /** `o[k]`, read once; when recording, a value behind a getter is refused. */
  own(o: object, k: number, value: unknown): unknown {
    if (this.tokens && value !== undefined && lookupGetter.call(o, k) !== undefined) throw refused;
    return value;
  }
}

/** Most tokens of one walk. */
const maxTokens = 400;

/**
 * Walks a filter list (conditions `[field, operator, value]` on fields of the model itself, `"and"`,
 * `"or"`, `["not", item]` and groups) into the tokens of its skeleton: field names, operators and the
 * kinds of values (null, boolean, number, bigint, string, over-long string, date, lists of these),
 * never the values, then the `tail` tokens; each condition is pushed onto `w.leaves` in order.
 * Answers "taken" (the walk's node or tokens hold the skeleton), "unknown" (looking up: nothing kept
 * under it) or "refused": the filter goes through today's path, which also gives every error (a
 * dotted path, `any`, an object or a function as a value, a proxy, a class instance, a big or deep
 * filter).
 */
export function walkFilter<T>(
  w: FilterWalk<T>,
  filter: unknown,
  tail: readonly unknown[],
): "taken" | "unknown" | "refused" {
  try {
    if (filter === undefined || filter === null) w.step(listClose);
    else list(w, filter, w.copy, 0);
    for (const token of tail) w.step(token);
    return "taken";
  } catch (e) {
    if (e === unknown) return "unknown";
    if (e === refused) return "refused";
    throw e;
  }
}

function list<T>(w: FilterWalk<T>, value: unknown, copy: unknown[] | undefined, depth: number): void {
  const items = plainArray(value, maxLeaves * 2);
  if (depth > maxDepth) throw refused;
  w.step(listOpen);
  for (let i = 0; i < items.length; i++) {
    const item = w.own(items, i, items[i]);
    if (item === "and" || item === "or") {
      w.step(item === "and" ? andMark : orMark);
      copy?.push(item);
    } else listItem(w, item, copy, depth);
  }
  w.step(listClose);
}

/** A condition, a group or `["not", item]`. */
function listItem<T>(w: FilterWalk<T>, value: unknown, copy: unknown[] | undefined, depth: number): void {
  const item = plainArray(value, maxLeaves * 2);
  const first = item.length === 0 ? undefined : w.own(item, 0, item[0]);
  if (first === "not") {
    if (item.length !== 2) throw refused;
    w.step(notMark);
    const inner: unknown[] | undefined = copy && [];
    listItem(w, w.own(item, 1, item[1]), inner, depth + 1);
    copy?.push(["not", inner?.[0]]);
  } else if (item.length === 0 || Array.isArray(first)) {
    const inner: unknown[] | undefined = copy && [];
    list(w, item, inner, depth + 1);
    copy?.push(inner);
  } else condition(w, item, first, copy);
}

/** `[field, operator, value]` on a stored field of the model (a many2one compared by its id). */
function condition<T>(w: FilterWalk<T>, item: readonly unknown[], path: unknown, copy: unknown[] | undefined): void {
  if (typeof path !== "string" || path.includes(".") || item.length > 3 || w.leaves.length >= maxLeaves) throw refused;
  const field = w.model.fields.get(path);
  const op = w.own(item, 1, item[1]);
  if (!field?.stored || crossing.has(field.kind) || typeof op !== "string" || !leafOps.has(op)) throw refused;
  if (item.length < 3 && op !== "is null" && op !== "is not null") throw refused;
  w.step(conditionMark);
  w.step(path);
  w.step(op);
  w.step(item.length);
  const raw = item.length < 3 ? undefined : w.own(item, 2, item[2]);
  let value = raw;
  if (Array.isArray(raw)) {
    const values = plainArray(raw, maxList);
    const out: unknown[] = [];
    w.step(valuesOpen);
    for (let i = 0; i < values.length; i++) {
      const v = w.own(values, i, values[i]);
      w.step(scalar(field, v));
      out.push(v);
    }
    w.step(valuesClose);
    value = out;
  } else w.step(scalar(field, raw));
  w.leaves.push({ path, op, value });
  copy?.push(item.length < 3 ? [path, op] : [path, op, Array.isArray(value) ? [...value] : value]);
}

/** The kind of a value (over-long strings apart: their condition is another node). */
function scalar(field: FieldMeta, value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "undefined":
    case "boolean":
    case "number":
    case "bigint":
      return typeof value;
    case "string":
      return tooLong(field, value) ? "long string" : "string";
    default:
      if (value instanceof Date && Object.getPrototypeOf(value) === Date.prototype && !types.isProxy(value))
        return "date";
      throw refused;
  }
}

/** `value` as a plain array of at most `max` items (no subclass, no proxy), or refused. */
function plainArray(value: unknown, max: number): readonly unknown[] {
  if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype || types.isProxy(value)) throw refused;
  if (value.length > max) throw refused;
  return value;
}

const lookupGetter = (Object.prototype as unknown as { __lookupGetter__(k: PropertyKey): unknown }).__lookupGetter__;
