import { QueryError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { toDbValue, ValueError } from "../model/validate.js";
import type { AggregateFn, AggregateItem, AggregateNode, HavingNode, SelectItem } from "./ast.js";
import { checkCount, planFilter, planRead } from "./plan-read.js";
import { shown } from "../model/shown.js";

/** An aggregation request, as a query set hands it over. */
export interface AggregateRequest {
  filter?: unknown;
  groupBy?: readonly string[];
  /** Group keys that are many2one may be nested to return their display fields. */
  nested?: Record<string, unknown>;
  aggregates: Record<string, unknown>;
  having?: readonly unknown[];
  /** Terms "-alias" / "field". */
  order?: readonly string[];
  limit?: number;
  offset?: number;
}

const fns = new Set<AggregateFn>(["count", "sum", "avg", "min", "max", "count_distinct"]);
const numericKinds = new Set(["integer", "smallInteger", "bigInteger", "float", "decimal"]);
const havingOps: Record<string, HavingNode["op"]> = {
  "=": "=",
  "!=": "<>",
  ">": ">",
  ">=": ">=",
  "<": "<",
  "<=": "<=",
};

/**
 * Builds the aggregate query from the request alone; the secure step applies the read rule and the
 * field rules to it like to any read (see `plan` on the node).
 */
export function planAggregate(model: ModelMeta, req: AggregateRequest): AggregateNode {
  if (typeof req.aggregates !== "object" || req.aggregates === null || Object.keys(req.aggregates).length === 0) {
    throw new QueryError(
      'aggregate() takes { alias: [field, "count" | "sum" | "avg" | "min" | "max" | "count_distinct"] }',
    );
  }
  const groupNames = names("groupBy", req.groupBy);
  const orderTerms = names("order", req.order);
  if (req.having !== undefined && !Array.isArray(req.having))
    throw new QueryError("having() takes a list of conditions [alias, operator, value]");
  if (
    req.nested !== undefined &&
    (typeof req.nested !== "object" || req.nested === null || Array.isArray(req.nested))
  ) {
    throw new QueryError("nested maps group keys to the fields to load from them");
  }
  const limit = checkCount("limit", req.limit);
  const offset = checkCount("offset", req.offset);
  const aggregates: AggregateItem[] = Object.entries(req.aggregates).map(([alias, spec]) => {
    if (
      !/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias) ||
      groupNames.includes(alias) ||
      alias === "id" ||
      reserved.has(alias)
    ) {
      throw new QueryError(`aggregate alias "${alias}" must be a plain identifier that is not a group key`, alias);
    }
    if (!Array.isArray(spec) || spec.length !== 2)
      throw new QueryError(`aggregate "${alias}" must be [field, function]`, alias);
    const [name, fn] = spec as [unknown, unknown];
    const field = typeof name === "string" ? model.fields.get(name) : undefined;
    if (!field?.stored)
      throw new QueryError(
        `aggregate "${alias}": unknown or unstored field "${String(name)}" on ${model.table}`,
        alias,
      );
    if (typeof fn !== "string" || !fns.has(fn as AggregateFn)) {
      throw new QueryError(
        `aggregate "${alias}": unknown function ${JSON.stringify(fn)}; use count, sum, avg, min, max or count_distinct`,
        alias,
      );
    }
    if ((fn === "sum" || fn === "avg") && !numericKinds.has(field.kind)) {
      throw new QueryError(`aggregate "${alias}": ${fn} needs a numeric field; ${field.name} is ${field.kind}`, alias);
    }
    return { alias, fn: fn as AggregateFn, field };
  });
  const groupBy: SelectItem[] = [];
  for (const name of groupNames) {
    const field = model.fields.get(name);
    if (!field?.stored)
      throw new QueryError(`cannot group ${model.table} by unknown or unstored field "${name}"`, name);
    const spec = req.nested && Object.hasOwn(req.nested, name) ? req.nested[name] : undefined;
    if (spec !== undefined && field.kind !== "many2one")
      throw new QueryError(`only a many2one group key can be nested ("${name}")`, name);
    groupBy.push(
      spec === undefined
        ? { kind: "column", field }
        : {
            kind: "nested",
            field,
            sub: planRead(field.target(), Array.isArray(spec) ? { fields: spec as string[] } : (spec as object)),
          },
    );
  }
  const fields = [...new Set([...groupNames, ...aggregates.map((a) => a.field.name)])];
  const where = planFilter(model, req.filter);
  const byAlias = new Map(aggregates.map((a) => [a.alias, a]));
  const having = (req.having ?? []).map((cond) => planHaving(byAlias, cond));
  const order = orderTerms.map((term) => {
    const desc = term.startsWith("-");
    const name = desc ? term.slice(1) : term;
    const key: FieldMeta | AggregateItem | undefined =
      byAlias.get(name) ?? (groupNames.includes(name) ? model.fields.get(name) : undefined);
    if (!key)
      throw new QueryError(`cannot order an aggregate by "${name}": use a group key or an aggregate alias`, name);
    return { key, desc };
  });
  return {
    kind: "aggregate",
    model,
    groupBy,
    aggregates,
    where,
    having,
    order,
    limit,
    offset,
    plan: { filter: where, annotations: [], fields },
  };
}

/** Names an object's prototype machinery answers to: never aliases (the result rows are plain objects). */
const reserved = new Set([...Object.getOwnPropertyNames(Object.prototype), "prototype"]);

/** A list of strings (group keys, order terms), checked before use. */
function names(what: string, list: unknown): string[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list) || !list.every((x) => typeof x === "string"))
    throw new QueryError(`${what} takes field names (strings)`);
  return [...list];
}

function planHaving(byAlias: Map<string, AggregateItem>, cond: unknown): HavingNode {
  if (!Array.isArray(cond) || cond.length !== 3)
    throw new QueryError("having() takes conditions [alias, operator, value]");
  const [alias, op, value] = cond as [unknown, unknown, unknown];
  const item = typeof alias === "string" ? byAlias.get(alias) : undefined;
  if (!item) throw new QueryError(`having: "${String(alias)}" is not an aggregate alias`, String(alias));
  const sqlOp = typeof op === "string" && Object.hasOwn(havingOps, op) ? havingOps[op] : undefined;
  if (!sqlOp) throw new QueryError(`having: operator ${shown(op)} is not one of = != > >= < <=`, item.alias);
  if (item.fn === "count" || item.fn === "count_distinct" || item.fn === "avg") {
    if (typeof value !== "number" || !Number.isFinite(value))
      throw new QueryError(`having: "${item.alias}" compares with a number`, item.alias);
    return { item, op: sqlOp, value };
  }
  try {
    return { item, op: sqlOp, value: toDbValue(item.field, value) };
  } catch (e) {
    if (e instanceof ValueError) throw new QueryError(`having: value for "${item.alias}" ${e.message}`, item.alias);
    throw e;
  }
}
