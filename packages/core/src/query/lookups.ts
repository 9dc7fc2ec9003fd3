import { QueryError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";

/** Lookup suffixes of query-set keyword filters (`name__icontains`). */
export type Lookup =
  | "exact"
  | "iexact"
  | "contains"
  | "icontains"
  | "in"
  | "gt"
  | "gte"
  | "lt"
  | "lte"
  | "startswith"
  | "istartswith"
  | "endswith"
  | "iendswith"
  | "isnull"
  | "range"
  | "ne";

const lookups = new Set<string>([
  "exact", "iexact", "contains", "icontains", "in", "gt", "gte", "lt", "lte",
  "startswith", "istartswith", "endswith", "iendswith", "isnull", "range", "ne",
]);

const escapeLike = (v: unknown, key: string) => {
  if (typeof v !== "string") throw new QueryError(`lookup "${key}" needs a string`, key);
  return v.replace(/[\\%_]/g, (c) => `\\${c}`);
};

/**
 * Translates Django-style keyword lookups into a filter list: `{ name__icontains: "gen",
 * creator_id__name: "Ann" }` -> `[["name", "ilike", "gen"], ["creator_id.name", "=", "Ann"]]`.
 * `__` walks relations; the last segment may be a lookup (default `exact`).
 *
 * @example
 * lookupsToFilter(Chat.meta, { created_at__gte: "2024-01-01", chat_type__in: ["group"] });
 */
export function lookupsToFilter(model: ModelMeta, input: unknown): unknown[] {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new QueryError("filter()/exclude()/get() take an object of lookups such as { name__icontains: 'ann' }");
  }
  const out: unknown[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const parts = key.split("__");
    if (parts.some((p) => p === "")) throw new QueryError(`malformed lookup "${key}"`, key);
    const last = parts[parts.length - 1] as string;
    const isLookup = lookups.has(last) && parts.length > 1 && !fieldAt(model, parts);
    const lookup = isLookup ? last : "exact";
    const path = (isLookup ? parts.slice(0, -1) : parts).join(".");
    out.push(condition(path, lookup, value, key));
  }
  return out;
}

/** Whether the whole `parts` path names a field (so `x__in` where `in` is a field wins over the lookup). */
function fieldAt(model: ModelMeta, parts: readonly string[]): boolean {
  let m: ModelMeta | undefined = model;
  for (const [i, p] of parts.entries()) {
    const field: FieldMeta | undefined = m?.fields.get(p);
    if (!field) return false;
    if (i < parts.length - 1) m = field.kind === "many2one" || field.kind === "one2many" || field.kind === "many2many" || field.kind === "one2one" ? field.target() : undefined;
  }
  return true;
}

function condition(path: string, lookup: string, value: unknown, key: string): unknown[] {
  switch (lookup) {
    case "exact":
      return [path, "=", value];
    case "ne":
      return [path, "!=", value];
    case "iexact":
      return [path, "=ilike", escapeLike(value, key)];
    case "contains":
      return [path, "like", value];
    case "icontains":
      return [path, "ilike", value];
    case "in":
      return [path, "in", value];
    case "gt":
      return [path, ">", value];
    case "gte":
      return [path, ">=", value];
    case "lt":
      return [path, "<", value];
    case "lte":
      return [path, "<=", value];
    case "startswith":
      return [path, "=like", `${escapeLike(value, key)}%`];
    case "istartswith":
      return [path, "=ilike", `${escapeLike(value, key)}%`];
    case "endswith":
      return [path, "=like", `%${escapeLike(value, key)}`];
    case "iendswith":
      return [path, "=ilike", `%${escapeLike(value, key)}`];
    case "isnull":
      if (typeof value !== "boolean") throw new QueryError(`lookup "${key}" takes true or false`, key);
      return [path, value ? "is null" : "is not null"];
    case "range":
      return [path, "between", value];
    default:
      throw new QueryError(`unknown lookup "${lookup}" in "${key}"`, key);
  }
}
