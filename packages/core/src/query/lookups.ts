import { QueryError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { holdsWhenMissing, parseFilter } from "./parse-filter.js";

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
  "exact",
  "iexact",
  "contains",
  "icontains",
  "in",
  "gt",
  "gte",
  "lt",
  "lte",
  "startswith",
  "istartswith",
  "endswith",
  "iendswith",
  "isnull",
  "range",
  "ne",
]);

const escapeLike = (v: unknown, key: string) => {
  if (typeof v !== "string") throw new QueryError(`lookup "${key}" needs a string`, key);
  return v.replace(/[\\%_]/g, (c) => `\\${c}`);
};

/**
 * Translates Django-style keyword lookups into a filter list: `{ name__icontains: "gen",
 * creator_id__name: "Ann" }` -> `[["name", "ilike", "gen"], ["creator_id.name", "=", "Ann"]]`.
 * `__` walks relations; the last segment may be a lookup (default `exact`). Lookups of one call
 * that reach through the same one2many / many2many hold on one related record, as in Django
 * (`{ tag_ids__name: "a", tag_ids__color: "red" }`: one tag named "a" that is red), see
 * {@link sameRecord}.
 *
 * @example
 * lookupsToFilter(Chat.meta, { created_at__gte: "2024-01-01", chat_type__in: ["group"] });
 */
export function lookupsToFilter(model: ModelMeta, input: unknown): unknown[] {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new QueryError("filter()/exclude()/get() take an object of lookups such as { name__icontains: 'ann' }");
  }
  const entries: Entry[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const parts = key.split("__");
    if (parts.some((p) => p === "")) throw new QueryError(`malformed lookup "${key}"`, key);
    const last = parts[parts.length - 1] as string;
    const isLookup = lookups.has(last) && parts.length > 1 && !fieldAt(model, parts);
    entries.push({ path: isLookup ? parts.slice(0, -1) : parts, lookup: isLookup ? last : "exact", value, key });
  }
  return sameRecord(model, entries);
}

/** One keyword lookup: the field path, the lookup, the value, and the key as written (for errors). */
interface Entry {
  readonly path: readonly string[];
  readonly lookup: string;
  readonly value: unknown;
  readonly key: string;
}

/**
 * Conditions of one call that go through the same one2many / many2many (Django's rule for one
 * `filter()` call, its `test_ticket2306`) become one `any` on it, so they hold on one related
 * record. As with a single dotted path, a record without related records matches when every
 * condition holds for an empty record (`{ tag_ids__name__isnull: true, tag_ids__color__isnull: true }`).
 */
function sameRecord(model: ModelMeta, entries: readonly Entry[]): unknown[] {
  const out: unknown[] = [];
  const groups = new Map<string, { target: ModelMeta; entries: Entry[] }>();
  for (const entry of entries) {
    const split = toManyPrefix(model, entry);
    if (!split) {
      out.push(condition(entry.path.join("."), entry.lookup, entry.value, entry.key));
      continue;
    }
    const group = groups.get(split.prefix) ?? { target: split.target, entries: [] };
    group.entries.push({ ...entry, path: split.rest });
    groups.set(split.prefix, group);
  }
  for (const [prefix, group] of groups) {
    if (group.entries.length === 1) {
      const [only] = group.entries as [Entry];
      // Django reads `isnull: false` through a to-many as "some related record has a value"
      // (an inner join), not as the complement of `isnull: true`
      const some = only.lookup === "isnull" && only.value === false;
      out.push(
        some
          ? [prefix, "any", sameRecord(group.target, group.entries)]
          : condition(`${prefix}.${only.path.join(".")}`, only.lookup, only.value, only.key),
      );
      continue;
    }
    const sub = sameRecord(group.target, group.entries);
    const any = [prefix, "any", sub];
    const cond = parseFilter(group.target, sub);
    out.push(cond && holdsWhenMissing(cond) ? [any, "or", [prefix, "=", null]] : any);
  }
  return out;
}

/**
 * Where `entry` first crosses a one2many / many2many to reach a related record's field (or its id):
 * the path up to that relation, its target, and the rest of the path on the target.
 */
function toManyPrefix(
  model: ModelMeta,
  entry: Entry,
): { prefix: string; target: ModelMeta; rest: string[] } | undefined {
  let current = model;
  for (const [i, name] of entry.path.entries()) {
    const field = current.fields.get(name);
    if (!field) return undefined;
    const end = i === entry.path.length - 1;
    if (field.kind === "one2many" || field.kind === "many2many") {
      // on the relation itself, isnull / null ask whether there is any related record: not about one record
      if (end && (entry.lookup === "isnull" || entry.value === null)) return undefined;
      return {
        prefix: entry.path.slice(0, i + 1).join("."),
        target: field.target(),
        rest: end ? ["id"] : entry.path.slice(i + 1),
      };
    }
    if (field.kind !== "many2one" && field.kind !== "one2one") return undefined;
    current = field.target();
  }
  return undefined;
}

/** Whether the whole `parts` path names a field (so `x__in` where `in` is a field wins over the lookup). */
function fieldAt(model: ModelMeta, parts: readonly string[]): boolean {
  let m: ModelMeta | undefined = model;
  for (const [i, p] of parts.entries()) {
    const field: FieldMeta | undefined = m?.fields.get(p);
    if (!field) return false;
    if (i < parts.length - 1)
      m =
        field.kind === "many2one" || field.kind === "one2many" || field.kind === "many2many" || field.kind === "one2one"
          ? field.target()
          : undefined;
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
