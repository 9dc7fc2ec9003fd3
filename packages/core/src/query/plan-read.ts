import { QueryError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import {
  type CondNode,
  type CountNode,
  type LockNode,
  type OrderNode,
  type SelectItem,
  type SelectNode,
  type SelectPlan,
  ast,
} from "./ast.js";
import { parseFilter } from "./parse-filter.js";
import { planDistinct } from "./plan-distinct.js";
import { isPath, planAnnotations, planPath } from "./plan-computed.js";
import { defaultOrder } from "./default-order.js";
import { shown } from "../model/shown.js";

/** Read options as they arrive at runtime (the typed surface narrows them at compile time). */
export interface ReadRequest {
  fields?: readonly string[];
  nested?: Record<string, unknown>;
  filter?: unknown;
  order?: string;
  sort?: string;
  limit?: number;
  offset?: number;
  /** Lock the rows read (`forUpdate`; checked against the database and the transaction by the caller). */
  lock?: unknown;
  /** Per-row aggregates of relations (`annotate`), usable in filter, order and fields. */
  annotations?: unknown;
  /** Each combination of the listed fields once (`distinct().values(...)`, see `planDistinct`). */
  distinct?: boolean;
}

const nestedKeys = new Set(["fields", "nested", "filter", "order", "sort", "limit", "offset"]);

/**
 * Builds the SELECT for a read from the request alone: every name, path, option and value checked,
 * and no access rule. What it touched is kept in `plan`, and `secureRead` (in `access/`) turns the
 * planned node into the secured one: the rules of the model, of every nested model and of every
 * model a dotted path reaches ANDed in, withheld fields left out or refused.
 */
export function planRead(model: ModelMeta, req: ReadRequest, extra?: CondNode): SelectNode {
  const named = planAnnotations(model, req.annotations);
  const filter = planFilter(model, req.filter, named);
  const { items, computed, loadOnly, names, explicit, nestedNames } = planItems(model, req.fields, req.nested, named);
  const order = readOrder(model, req, named);
  const plan: SelectPlan = {
    extra,
    filter,
    annotations: [...named.values()],
    names,
    explicit,
    nestedNames,
    strictOrder: strictOrder(model, req),
  };
  const select: SelectNode = {
    kind: "select",
    model,
    items,
    computed,
    loadOnly: loadOnly.length > 0 ? loadOnly : undefined,
    where: ast.and([extra, filter]),
    order,
    limit: checkCount("limit", req.limit),
    offset: checkCount("offset", req.offset),
    ...(req.lock === undefined ? {} : { lock: checkLock(req.lock) }),
    plan,
  };
  if (req.distinct !== true) return select;
  const ordered = req.order !== undefined && req.order !== "";
  const distinct = planDistinct(select, req.fields, ordered);
  return distinct === select
    ? select
    : { ...distinct, plan: { ...plan, distinct: { base: select, fields: req.fields, ordered } } };
}

/** A count (or existence check) of the rows a filter matches, with annotations usable in the filter. */
export function planCount(
  model: ModelMeta,
  req: { filter?: unknown; annotations?: unknown } | undefined,
  exists: boolean,
): CountNode {
  const named = planAnnotations(model, req?.annotations);
  const filter = planFilter(model, req?.filter, named);
  return { kind: "count", model, where: filter, exists, plan: { filter, annotations: [...named.values()] } };
}

/**
 * Lock options as given by a caller: `{ skipLocked?, noWait? }` with boolean values, not both.
 *
 * @example
 * checkLock({ skipLocked: true }); // { skipLocked: true, noWait: false }
 */
export function checkLock(lock: unknown): LockNode {
  if (typeof lock !== "object" || lock === null || Array.isArray(lock))
    throw new QueryError("forUpdate() takes { skipLocked?: boolean, noWait?: boolean }");
  const bad = Object.keys(lock).find((k) => k !== "skipLocked" && k !== "noWait");
  if (bad) throw new QueryError(`forUpdate() has no option "${bad}"; use skipLocked or noWait`, bad);
  const { skipLocked = false, noWait = false } = lock as Record<string, unknown>;
  if (typeof skipLocked !== "boolean" || typeof noWait !== "boolean")
    throw new QueryError("forUpdate() options skipLocked and noWait are true or false");
  if (skipLocked && noWait)
    throw new QueryError("forUpdate() takes skipLocked or noWait, not both: skip held rows, or fail on them");
  return Object.freeze({ skipLocked, noWait });
}

/**
 * Parses a filter (dotted paths become EXISTS without any rule: the secure step checks the fields
 * and ANDs each path's target rule into its EXISTS).
 */
export function planFilter(
  model: ModelMeta,
  filter: unknown,
  named?: ReadonlyMap<string, FieldMeta>,
): CondNode | undefined {
  return parseFilter(model, filter, named && named.size > 0 ? { named } : {});
}

/** A limit or offset: a non-negative safe integer (nothing else reaches SQL). */
export function checkCount(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new QueryError(`${name} must be a non-negative integer, got ${shown(value)}`);
  }
  return value;
}

/**
 * Parses `order` ("name desc, id") with `sort` as the direction of terms that give none. Only stored
 * fields of the model are accepted; anything else is a {@link QueryError}, never SQL.
 */
export function planOrder(
  model: ModelMeta,
  order?: unknown,
  sort?: string,
  named?: ReadonlyMap<string, FieldMeta>,
): OrderNode[] {
  if (sort !== undefined && sort !== "asc" && sort !== "desc" && sort !== "ASC" && sort !== "DESC") {
    throw new QueryError(`sort must be "asc" or "desc", got ${shown(sort)}`);
  }
  const defaultDesc = sort?.toLowerCase() === "desc";
  if (noOrder(order)) return defaultOrder(model, defaultDesc) ?? [{ field: model.id, desc: defaultDesc }];
  if (typeof order !== "string")
    throw new QueryError(`order must be a string such as "name desc, id", got ${typeof order}`);
  return order.split(",").map((term) => {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$/i.exec(term);
    if (!m) throw new QueryError(`order term ${shown(term.trim())} must be "<field>" or "<field> asc|desc"`);
    const field = named?.get(m[1] as string) ?? model.fields.get(m[1] as string);
    if (!field?.stored)
      throw new QueryError(`cannot order ${model.table} by unknown or unstored field "${m[1]}"`, m[1]);
    return { field, desc: m[2] ? m[2].toLowerCase() === "desc" : defaultDesc };
  });
}

/**
 * The order of a read. The secure step checks it against the session: sorting by a field the
 * session may not read would leak its values through the row order, so an order the caller gives
 * is refused and the model's default order leaves such terms out (see {@link strictOrder}).
 */
export function readOrder(
  model: ModelMeta,
  req: ReadRequest,
  named: ReadonlyMap<string, FieldMeta> | false = new Map(),
): OrderNode[] {
  const terms = pathTerms(req.order);
  // `false`: keyset pages and streams order by the model's own columns only (their cursor holds the values)
  return planOrder(model, terms, req.sort, named === false ? undefined : orderFields(model, terms, named));
}

/** Whether a withheld field in the order is refused (the caller gave the order) or left out (the model's default). */
export function strictOrder(model: ModelMeta, req: ReadRequest): boolean {
  return !noOrder(req.order) || !model.options.order;
}

/**
 * `"creator_id.name desc"` as `"creator_id__name desc"`: a dotted many2one path (the filter syntax)
 * orders exactly as the query sets' `__` path does, through the related model's read rule.
 */
const pathTerms = (order: unknown): unknown =>
  typeof order === "string" && order.includes(".") ? order.replace(/([A-Za-z0-9_])\.(?=[A-Za-z_])/g, "$1__") : order;

const noOrder = (order: unknown) => order === undefined || order === null || order === "";

/** Annotations, and the many2one paths an order string names (`author_id__name desc`). */
function orderFields(
  model: ModelMeta,
  order: unknown,
  named: ReadonlyMap<string, FieldMeta>,
): ReadonlyMap<string, FieldMeta> {
  if (typeof order !== "string" || !order.includes("__")) return named;
  const out = new Map(named);
  for (const term of order.split(",")) {
    const name = term.trim().split(/\s+/)[0] ?? "";
    if (isPath(name) && !out.has(name) && /^[A-Za-z0-9_]+$/.test(name)) out.set(name, planPath(model, name));
  }
  return out;
}

function planItems(
  model: ModelMeta,
  fields?: readonly string[],
  nested?: Record<string, unknown>,
  named: ReadonlyMap<string, FieldMeta> = new Map(),
) {
  if (fields !== undefined && !Array.isArray(fields)) throw new QueryError("fields must be a list of field names");
  if (nested !== undefined && (typeof nested !== "object" || nested === null || Array.isArray(nested))) {
    throw new QueryError("nested must be an object mapping relation fields to what to load from them");
  }
  const nestedNames = Object.keys(nested ?? {});
  const explicit = fields !== undefined;
  // annotations and many2one paths (`author_id__name`): all annotations by default, else those listed
  const extraNames = explicit
    ? fields.filter((n) => typeof n === "string" && (named.has(n) || isPath(n)))
    : [...named.keys()];
  const names: string[] = explicit ? fields.filter((n) => !extraNames.includes(n)) : defaultNames(model);
  for (const name of [...names, ...nestedNames]) {
    if (typeof name !== "string" || !model.fields.has(name))
      throw new QueryError(`unknown field "${String(name)}" on ${model.table}`, String(name));
  }
  const { items, computed, loadOnly } = columnItems(model, names, nestedNames);
  for (const name of extraNames) items.push({ kind: "column", field: named.get(name) ?? planPath(model, name) });
  for (const name of nestedNames) {
    const field = model.fields.get(name) as FieldMeta;
    if (
      field.kind !== "many2one" &&
      field.kind !== "one2many" &&
      field.kind !== "many2many" &&
      field.kind !== "one2one"
    ) {
      throw new QueryError(`"${name}" on ${model.table} is not a relation, so it cannot be nested`, name);
    }
    items.push({ kind: "nested", field, sub: planNested(field, (nested as Record<string, unknown>)[name]) });
  }
  return { items, computed, loadOnly, names, explicit, nestedNames };
}

/**
 * The columns, id lists and computed fields of `names` (nested relations excepted), with the fields
 * computed ones depend on, read for the computation only (`loadOnly`). Id lists carry no rule yet.
 */
export function columnItems(
  model: ModelMeta,
  names: readonly string[],
  nestedNames: readonly string[],
): { items: SelectItem[]; computed: FieldMeta[]; loadOnly: string[] } {
  const want = new Set(["id", ...names.filter((n) => !nestedNames.includes(n))]);
  // dependencies are read for the computation only, and dropped from the records afterwards
  const loadOnly: string[] = [];
  for (const name of [...want]) {
    for (const dep of dependencies(model, name)) {
      if (want.has(dep)) continue;
      want.add(dep);
      loadOnly.push(dep);
    }
  }
  const items: SelectItem[] = [];
  const computed: FieldMeta[] = [];
  for (const name of want) {
    const field = model.fields.get(name) as FieldMeta;
    if (field.stored) items.push({ kind: "column", field });
    else if (field.def.options.compute) computed.push(field);
    // the ids of related rows follow the target's read rule (added by the secure step), as nested reads do
    else if (field.kind === "one2many" || field.kind === "many2many" || field.kind === "one2one")
      items.push({ kind: "ids", field });
  }
  return { items, computed, loadOnly };
}

/** The stored fields a computed field is derived from (none for any other field). */
export function dependencies(model: ModelMeta, name: string): string[] {
  const options = model.fields.get(name)?.def.options;
  if (options?.store !== false) return [];
  return (options.depends ?? []).filter((dep) => model.fields.get(dep)?.stored === true);
}

/** Field names read when none are given: stored fields and computed ones. */
export function defaultNames(model: ModelMeta): string[] {
  return [...model.fields.values()]
    .filter((f) => f.stored || (f.def.options.compute !== undefined && f.kind !== "one2many" && f.kind !== "many2many"))
    .map((f) => f.name);
}

/** The array form of a nested spec: field names, and maps of deeper relations inline. */
function splitInline(field: FieldMeta, spec: readonly unknown[]): ReadRequest {
  if (spec.some((x) => typeof x !== "string" && (typeof x !== "object" || x === null || Array.isArray(x)))) {
    throw new QueryError(`nested "${field.name}" lists field names and nested maps only`, field.name);
  }
  const fields = spec.filter((x): x is string => typeof x === "string");
  const deeper = Object.assign({}, ...spec.filter((x) => typeof x === "object"));
  return { fields: fields.length > 0 ? fields : undefined, nested: deeper };
}

function planNested(field: FieldMeta, spec: unknown): SelectNode {
  const target = field.target();
  let req: ReadRequest;
  if (Array.isArray(spec)) {
    req = splitInline(field, spec);
  } else if (typeof spec === "object" && spec !== null) {
    const bad = Object.keys(spec).find((k) => !nestedKeys.has(k));
    if (bad) throw new QueryError(`nested "${field.name}" has unknown option "${bad}"`, field.name);
    req = spec as ReadRequest;
    // `fields` may hold inline nested maps, as the array form does: { fields: ["body", { author_id: ["name"] }] }
    if (Array.isArray(req.fields) && req.fields.some((x) => typeof x !== "string")) {
      const inline = splitInline(field, req.fields);
      if (
        req.nested !== undefined &&
        (typeof req.nested !== "object" || req.nested === null || Array.isArray(req.nested))
      ) {
        throw new QueryError(
          `nested "${field.name}": "nested" must be an object mapping relation fields to what to load from them`,
          field.name,
        );
      }
      const twice = Object.keys(inline.nested ?? {}).find((k) => req.nested !== undefined && k in req.nested);
      if (twice)
        throw new QueryError(
          `nested "${field.name}" names "${twice}" both inline in "fields" and in "nested": give it once`,
          twice,
        );
      req = { ...req, fields: inline.fields ?? [], nested: { ...req.nested, ...inline.nested } };
    }
  } else if (spec === true) {
    req = {};
  } else {
    throw new QueryError(`nested "${field.name}" must be a list of fields or an options object`, field.name);
  }
  const single = field.kind === "many2one" || field.kind === "one2one";
  if (single && (req.limit !== undefined || req.offset !== undefined || req.order !== undefined)) {
    throw new QueryError(
      `nested "${field.name}" is a single record; limit, offset and order apply to one2many and many2many only`,
      field.name,
    );
  }
  return planRead(target, req);
}
