import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { type CondNode, type SelectNode, ast } from "../query/ast.js";
import { leafCondition } from "../query/leaf-condition.js";
import { planFilter, type ReadRequest } from "../query/plan-read.js";
import { type ReadShape, readShapeOf, shapedSelect } from "../query/read-shape.js";
import type { SqlCompiler } from "../sql/sql-compiler.js";
import type { CompiledQuery } from "../sql/statement.js";
import { type FilterLeaf, FilterWalk, walkFilter } from "./filter-walk.js";
import { type TokenTrie, keepUnder } from "../query/token-trie.js";
import { Slot, bindAll, sameParams } from "./template-params.js";

/**
 * What a read of one shape, filter skeleton, limit and offset compiles to, whatever its values: the
 * statement with a {@link Slot} where each value of the filter (and of get's id) is bound, and the
 * shape of each condition's node, which a call's nodes must have to be sent with it.
 */
interface Template {
  readonly sql: string;
  readonly kind: CompiledQuery["kind"];
  /** The compiled params, a {@link Slot} (or a list of them) standing for each value of the call. */
  readonly params: readonly unknown[] | Readonly<Record<string, unknown>>;
  /** The select's condition and filter with {@link Slot}s for values (frozen, sealed; not for compiling). */
  readonly where: CondNode | undefined;
  readonly filter: CondNode | undefined;
  /** The skeleton of get's id condition (see {@link matches}). */
  readonly extra: CondNode | undefined;
  /** Per condition of the filter, in order: its field and the shape of its node. */
  readonly leaves: readonly { readonly field: FieldMeta; readonly skeleton: CondNode }[];
}

/** Templates kept per read shape; past this they are dropped all at once. */
const maxTemplates = 128;
/** Templates by compiler (dialect and options), read shape and key (filter skeleton, limit, offset, get or search). */
const templates = new WeakMap<SqlCompiler, WeakMap<ReadShape, Trie>>();

/** The templates of one read shape and compiler, by the tokens of the walk; null: none can be made. */
type Trie = TokenTrie<Template | null>;

let built = 0;

/** How many read templates have been built (a repeated skeleton is built once; for tests). */
export function builtTemplates(): number {
  return built;
}

/**
 * A read as `compiler.compile(planReadShaped(model, req, extra))` would send it, without parsing its
 * filter or compiling it: the kept template of its shape and filter skeleton (the fields, operators
 * and kinds of values, never the values), with the call's values checked and converted by the very
 * function planning uses ({@link leafCondition}) and encoded by the compiler. Undefined when the
 * request goes through today's path: the walk does not take it (a lock, a non-zero offset, a dotted
 * path, `any`, an object or a function as a value, a proxy), a value fails its check (today's path
 * then throws the same error), or no template is kept yet (one is built from a plain copy of the
 * request, never from values behind getters, and kept only when it gives this call's very statement
 * and params). On a kept skeleton each item and value is read once, a getter's too, and that value is
 * what is checked and sent. Only for reads with no access checker and no query cache.
 */
export function templateRead(
  model: ModelMeta,
  req: ReadRequest,
  extra: CondNode | undefined,
  compiler: SqlCompiler,
): { select: SelectNode; query: CompiledQuery } | undefined {
  // each read once (a value behind a getter too: nothing is built from one, see below)
  if (!isPlainObject(req) || req.lock !== undefined) return undefined;
  const limit = req.limit;
  const offset = req.offset;
  const filter = req.filter;
  if (!plainCount(limit) || !(offset === undefined || offset === null || Object.is(offset, 0))) return undefined;
  const shape = readShapeOf(model, req);
  if (shape === undefined) return undefined;
  let byShape = templates.get(compiler);
  if (!byShape) templates.set(compiler, (byShape = new WeakMap()));
  let trie = byShape.get(shape);
  if (!trie) byShape.set(shape, (trie = { root: {}, size: 0 }));
  const w = new FilterWalk<Template | null>(trie.root, model);
  const found = walk(w, filter, limit, offset, extra);
  if (found === "refused") return undefined;
  const template = found === "taken" ? w.node?.kept : undefined;
  if (template === undefined) {
    // built from a plain copy taken by a second walk, never from values behind getters: what is kept
    // is what its tokens say
    if (["filter", "limit", "offset"].some((k) => lookupGetter.call(req, k) !== undefined)) return undefined;
    const again = new FilterWalk<Template | null>(undefined, model);
    if (walk(again, filter, limit, offset, extra) !== "taken") return undefined;
    const copy = filter === undefined || filter === null ? undefined : again.copy;
    const built = build(model, shape, { limit, offset }, extra, copy, again.leaves, compiler);
    // undefined: this call's values fail (nothing kept; today's path throws its error)
    if (built === undefined) return undefined;
    if (trie.size >= maxTemplates) byShape.set(shape, (trie = { root: {}, size: 0 }));
    keepUnder(trie, again.tokens as unknown[], built);
    // this call goes through today's path: the template serves the next ones
    return undefined;
  }
  if (template === null) return undefined;
  const values = callValues(template, extra, w.leaves);
  if (values === undefined) return undefined;
  const select = shapedSelect(model, shape, { limit, offset }, extra, template.filter, template.where);
  let params: CompiledQuery["params"];
  try {
    params = bindAll(template.params, values, compiler);
  } catch {
    // a value the compiler refuses (a date out of ClickHouse's range): today's path throws its error
    return undefined;
  }
  return { select, query: { sql: template.sql, params, kind: template.kind } };
}

/** Walks the filter, then the limit, the offset and whether the read is a get, into `w`. */
function walk(
  w: FilterWalk<Template | null>,
  filter: unknown,
  limit: unknown,
  offset: unknown,
  extra: CondNode | undefined,
): ReturnType<typeof walkFilter> {
  try {
    return walkFilter(w, filter, [limit ?? "no limit", offset ?? "no offset", extra === undefined ? "search" : "get"]);
  } catch {
    // a getter that throws: today's path throws its error
    return "refused";
  }
}

/** The values of the call, checked and converted (`leafCondition`), when its nodes have the template's shapes. */
function callValues(
  template: Template,
  extra: CondNode | undefined,
  leaves: readonly FilterLeaf[],
): unknown[] | undefined {
  const values: unknown[] = [];
  if (extra !== undefined && (template.extra === undefined || !matches(extra, template.extra, values)))
    return undefined;
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i] as FilterLeaf;
    const expected = template.leaves[i] as Template["leaves"][number];
    let node: CondNode;
    try {
      node = leafCondition(expected.field, leaf.op, leaf.value, leaf.path);
    } catch {
      // a bad value: today's path throws the very same error (it runs this same check on this value)
      return undefined;
    }
    if (!matches(node, expected.skeleton, values)) return undefined;
  }
  return values;
}

/**
 * Builds the template of a call: its request planned from plain copies (the filter `leaves` as the
 * walk read them), compiled once with its values and once with {@link Slot}s; null when the two do
 * not agree for this call's values (nothing of the call is kept), undefined when the values fail.
 */
function build(
  model: ModelMeta,
  shape: ReadShape,
  counts: { limit: unknown; offset: unknown },
  extra: CondNode | undefined,
  copy: unknown[] | undefined,
  leaves: readonly FilterLeaf[],
  compiler: SqlCompiler,
): Template | null | undefined {
  let filter: CondNode | undefined;
  let reference: CompiledQuery;
  let select: SelectNode;
  const fields: FieldMeta[] = [];
  const nodes: CondNode[] = [];
  try {
    filter = planFilter(model, copy);
    select = shapedSelect(model, shape, counts, extra, filter, ast.and([extra, filter]));
    reference = compiler.compile(select);
    for (const leaf of leaves) {
      const field = model.fields.get(leaf.path) as FieldMeta;
      fields.push(field);
      nodes.push(leafCondition(field, leaf.op, leaf.value, leaf.path));
    }
  } catch {
    return undefined;
  }
  const values: unknown[] = [];
  const extraSkeleton = extra && marked(extra, { next: 0 });
  const skeletons = nodes.map((node) => marked(node, { next: 0 }));
  if (extra !== undefined && !matches(extra, extraSkeleton as CondNode, values)) return null;
  if (!nodes.every((node, i) => matches(node, skeletons[i] as CondNode, values))) return null;
  const slots = { next: 0 };
  const extraSlots = extra && marked(extra, slots);
  const filterSlots = filter && marked(filter, slots);
  if (slots.next !== values.length) return null;
  const where = ast.and([extraSlots, filterSlots]);
  let query: CompiledQuery;
  try {
    query = compiler.compile({ ...select, where, plan: select.plan && { ...select.plan, filter: filterSlots } });
  } catch {
    // a compiler that reads a value itself (a JSON field's value is encoded as text): no template
    return null;
  }
  const template: Template = Object.freeze({
    sql: query.sql,
    kind: query.kind,
    params: Object.freeze(query.params),
    where,
    filter: filterSlots,
    extra: extraSkeleton,
    leaves: Object.freeze(fields.map((field, i) => Object.freeze({ field, skeleton: skeletons[i] as CondNode }))),
  });
  // kept only when it gives this call's very statement and params
  const params = bindAll(template.params, values, compiler);
  if (query.sql !== reference.sql || query.kind !== reference.kind || !sameParams(params, reference.params))
    return null;
  built++;
  return template;
}

/**
 * Whether `node` has the shape of `skeleton` (a {@link marked} node: the same kinds, operators, flags,
 * fields and list lengths), its values pushed onto `values` in the order the compiler binds them. A
 * node a template does not take (a path's EXISTS, an expression) never matches.
 */
function matches(node: CondNode, skeleton: CondNode, values: unknown[]): boolean {
  const s = skeleton as Record<string, unknown>;
  if (node.kind !== skeleton.kind) return false;
  switch (node.kind) {
    case "and":
    case "or": {
      const items = s.items as readonly CondNode[];
      if (items.length !== node.items.length) return false;
      for (let i = 0; i < items.length; i++)
        if (!matches(node.items[i] as CondNode, items[i] as CondNode, values)) return false;
      return true;
    }
    case "not":
      return matches(node.item, s.item as CondNode, values);
    case "const":
      return node.value === s.value;
    case "cmp":
      if (node.field !== s.field || node.op !== s.op) return false;
      values.push(node.value);
      return true;
    case "null":
      return node.field === s.field && node.negate === s.negate;
    case "in":
      if (node.field !== s.field || node.negate !== s.negate || node.values.length !== (s.values as unknown[]).length)
        return false;
      for (const v of node.values) values.push(v);
      return true;
    case "like":
      if (node.field !== s.field || node.ci !== s.ci || node.negate !== s.negate) return false;
      values.push(node.pattern);
      return true;
    case "between":
      if (node.field !== s.field || node.negate !== s.negate) return false;
      values.push(node.low, node.high);
      return true;
    default:
      return false;
  }
}

/** A sealed copy of `node` with a {@link Slot} for each value, numbered in the order {@link matches} reads values. */
function marked(node: CondNode, slots: { next: number }): CondNode {
  const slot = (field: FieldMeta) => new Slot(slots.next++, field);
  switch (node.kind) {
    case "and":
    case "or":
      return ast.seal({ kind: node.kind, items: Object.freeze(node.items.map((i) => marked(i, slots))) });
    case "not":
      return ast.seal({ kind: "not", item: marked(node.item, slots) });
    case "cmp":
      return ast.seal({ ...node, value: slot(node.field) });
    case "in":
      return ast.seal({ ...node, values: Object.freeze(node.values.map(() => slot(node.field))) });
    case "like":
      return ast.seal({ ...node, pattern: slot(node.field) as unknown as string });
    case "between":
      return ast.seal({ ...node, low: slot(node.field), high: slot(node.field) });
    default:
      return node;
  }
}

/** A limit as planning takes it (undefined, null, or a non-negative safe integer, not -0). */
function plainCount(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && !Object.is(value, -0))
  );
}

function isPlainObject(value: unknown): value is ReadRequest {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const lookupGetter = (Object.prototype as unknown as { __lookupGetter__(k: PropertyKey): unknown }).__lookupGetter__;
