import type { RelationData, RelationModels } from "./relation-data.js";

/** A record of the relation data set as plain values, relations as lists of related records. */
type Rec = { readonly id: number; readonly [field: string]: unknown };
/** Per model, per relation field: the related records of a record (only those the session may read). */
type Links = Record<string, (rec: Rec) => readonly Rec[]>;

/**
 * The filter semantics the core README states, evaluated in memory on the items, authors and tags of
 * {@link seedRelations}, independently of the parser and of SQL: a path holds when some value at its
 * end satisfies the condition, a missing related record giving one null; a negative operator is the
 * complement of its positive one; `any` needs a related record. Related tags named in `hidden` do not
 * exist for the evaluation (access rules). Text ordering (`between` on text) is not evaluated.
 */
export async function relationReference(data: RelationModels & RelationData, hidden: readonly string[] = []) {
  const [items, authors, tags] = (await Promise.all([
    data.Item.search({ fields: ["name", "note", "creator_id", "tag_ids"] }),
    data.Author.search({ fields: ["name"] }),
    data.Tag.search({ fields: ["name", "parent_id"] }),
  ])) as unknown as [Rec[], Rec[], Rec[]];
  const visible = (list: readonly Rec[]) => list.filter((t) => !hidden.includes(t.name as string));
  const byId = (list: readonly Rec[], id: unknown) => list.filter((r) => r.id === id);
  const links: Record<string, Links> = {
    items: {
      creator_id: (r) => byId(authors, r.creator_id),
      tag_ids: (r) => visible(tags.filter((t) => (r.tag_ids as number[]).includes(t.id))),
    },
    authors: { item_ids: (r) => items.filter((i) => i.creator_id === r.id) },
    tags: { parent_id: (r) => visible(byId(tags, r.parent_id)) },
  };
  const targets: Record<string, string> = {
    creator_id: "authors",
    tag_ids: "tags",
    item_ids: "items",
    parent_id: "tags",
  };
  const many2ones = new Set(["creator_id", "parent_id"]);

  /** The values at the end of `path` from `rec`: a missing related record gives one null. */
  function ends(model: string, rec: Rec, path: readonly string[]): unknown[] {
    const [name, ...rest] = path as [string, ...string[]];
    const link = links[model]?.[name];
    // a scalar, or a many2one compared as its column
    if (!link || (rest.length === 0 && many2ones.has(name))) return [rec[name] ?? null];
    const related = link(rec);
    if (rest.length === 0) return related.length === 0 ? [null] : related.map((r) => r.id);
    return related.length === 0 ? [null] : related.flatMap((r) => ends(targets[name] as string, r, rest));
  }

  function holds(op: string, value: unknown, v: unknown): boolean {
    switch (op) {
      case "=":
      case "=like":
        return value === null ? v === null : v === value;
      case "in":
        return (value as unknown[]).includes(v);
      case "is null":
        return v === null;
      case "like":
        return typeof v === "string" && v.includes(value as string);
      case "ilike":
        return typeof v === "string" && v.toLowerCase().includes((value as string).toLowerCase());
      case ">":
        return v !== null && (v as number) > (value as number);
      case "<":
        return v !== null && (v as number) < (value as number);
      default:
        throw new Error(`the reference does not evaluate "${op}"`);
    }
  }

  function condition(model: string, rec: Rec, [path, op, value]: readonly unknown[]): boolean {
    const positive = op === "!=" ? "=" : op === "is not null" ? "is null" : (op as string).replace(/^not /, "");
    const segments = (path as string).split(".");
    let result: boolean;
    if (positive === "any") {
      const related = segments.reduce<{ m: string; recs: readonly Rec[] }>(
        (at, name) => ({ m: targets[name] as string, recs: at.recs.flatMap((r) => links[at.m]?.[name]?.(r) ?? []) }),
        { m: model, recs: [rec] },
      );
      result = related.recs.some((r) => list(related.m, r, value as unknown[]));
    } else {
      result = ends(model, rec, segments).some((v) => holds(positive, value, v));
    }
    return positive === op ? result : !result;
  }

  function item(model: string, rec: Rec, it: unknown): boolean {
    const node = it as unknown[];
    if (node[0] === "not") return !item(model, rec, node[1]);
    if (node.length === 0 || Array.isArray(node[0])) return list(model, rec, node);
    return condition(model, rec, node);
  }

  function list(model: string, rec: Rec, filter: readonly unknown[]): boolean {
    const groups: unknown[][] = [[]];
    for (const it of filter) {
      if (it === "or") groups.push([]);
      else if (it !== "and") (groups[groups.length - 1] as unknown[]).push(it);
    }
    return filter.length === 0 || groups.some((g) => g.every((it) => item(model, rec, it)));
  }

  /** Ids of the items `filter` (one filter item) selects, ascending. */
  return (filter: unknown): number[] =>
    items
      .filter((rec) => item("items", rec, filter))
      .map((r) => r.id)
      .sort((a, b) => a - b);
}
