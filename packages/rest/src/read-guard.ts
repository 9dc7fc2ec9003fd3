import { type CondNode, type FieldMeta, type ModelMeta, QueryError, parseFilter } from "@dotorm/core";
import { type CrudConfig, isPrivate } from "./crud-options.js";
import type { NestedMap, NestedOptions, NestedSpec } from "./request-schemas.js";
import { badRequest } from "./rest-error.js";

/** A read request after the API checked it: only names the model exposes, limits within bounds. */
export interface CheckedRead {
  filter?: unknown[];
  /**
   * The top-level filter as core parsed it (private fields refused): a read of the same model takes
   * it as its `filter`, so a page and its total share one parse. Absent in nested reads.
   */
  where?: CondNode;
  fields?: string[];
  nested?: Record<string, unknown>;
  order?: string;
  sort?: "asc" | "desc";
  limit?: number;
  offset?: number;
}

const relationKinds = new Set(["many2one", "one2many", "many2many", "one2one"]);

/** The field, unless it is absent or private: both read the same ("unknown field"). */
export function visibleField(model: ModelMeta, name: string): FieldMeta {
  const field = model.fields.get(name);
  if (!field || isPrivate(field)) throw new QueryError(`unknown field "${name}" on ${model.table}`, name);
  return field;
}

/**
 * Parses a filter with core's parser, private fields hidden, so unknown names fail here by name;
 * returns the parsed condition (undefined for an empty filter).
 */
export function checkFilter(model: ModelMeta, filter: unknown[]): CondNode | undefined {
  return parseFilter(model, filter, { isHidden: isPrivate });
}

/**
 * Checks `order` ("name desc, id", "creator_id.name"): every term a visible stored field, or a
 * dotted path through visible many2one fields to one (core applies each related model's rules).
 */
export function checkOrder(model: ModelMeta, order: string | undefined): string | undefined {
  if (order === undefined || order.trim() === "") return undefined;
  for (const term of order.split(",")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?:\s+(asc|desc))?\s*$/i.exec(term);
    if (!m)
      throw new QueryError(
        `order term ${JSON.stringify(term.trim())} must be "<field>" or "<field> asc|desc"`,
        "order",
      );
    const path = (m[1] as string).split(".");
    let current = model;
    path.forEach((name, i) => {
      const field = current.fields.get(name);
      const last = i === path.length - 1;
      if (!field?.stored || isPrivate(field) || (!last && field.kind !== "many2one")) {
        throw new QueryError(
          `cannot order ${model.table} by "${m[1]}": "${name}" is not a ${last ? "stored field" : "many2one field"} of ${current.table}`,
          m[1],
        );
      }
      if (!last) current = field.target();
    });
  }
  return order;
}

/** Checks a limit against `maxLimit`. */
export function checkLimit(cfg: CrudConfig, limit: number | undefined, name = "limit"): number | undefined {
  if (limit !== undefined && limit > cfg.maxLimit)
    throw badRequest(`${name} must be at most ${cfg.maxLimit}, got ${limit}`, name);
  return limit;
}

/** Checks a whole read request against the model and the API's bounds; returns a fresh copy. */
export function checkRead(cfg: CrudConfig, model: ModelMeta, req: NestedOptions, depth = 0): CheckedRead {
  const out: CheckedRead = {};
  if (req.fields !== undefined) out.fields = req.fields.map((n) => visibleField(model, n).name);
  if (req.nested !== undefined) out.nested = checkNested(cfg, model, req.nested, depth + 1);
  if (req.filter !== undefined) {
    const where = checkFilter(model, req.filter);
    out.filter = req.filter;
    if (depth === 0 && where) out.where = where;
  }
  if (req.order !== undefined) out.order = checkOrder(model, req.order);
  if (req.sort !== undefined) out.sort = req.sort;
  if (req.limit !== undefined) out.limit = checkLimit(cfg, req.limit);
  if (req.offset !== undefined) out.offset = req.offset;
  return out;
}

function checkNested(cfg: CrudConfig, model: ModelMeta, nested: NestedMap, depth: number): Record<string, unknown> {
  if (depth > cfg.maxNestedDepth)
    throw badRequest(`nested reads go at most ${cfg.maxNestedDepth} levels deep`, "nested");
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(nested)) {
    const field = visibleField(model, name);
    if (!relationKinds.has(field.kind))
      throw new QueryError(`"${name}" on ${model.table} is not a relation, so it cannot be nested`, name);
    out[name] = checkSpec(cfg, field, nested[name] as NestedSpec, depth);
  }
  return out;
}

function checkSpec(cfg: CrudConfig, field: FieldMeta, spec: NestedSpec, depth: number): unknown {
  const target = field.target();
  if (spec === true) return true;
  if (Array.isArray(spec)) {
    return spec.map((item) =>
      typeof item === "string" ? visibleField(target, item).name : checkNested(cfg, target, item, depth + 1),
    );
  }
  return checkRead(cfg, target, spec, depth);
}
