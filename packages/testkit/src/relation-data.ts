import { type AccessChecker, type AnyModel, type Database, connect, f, model } from "@dotorm/core";

/**
 * Authors, items and tags: the data set of Django's `tests/queries` (Queries1Tests) and Odoo's
 * `test_expression.py` rebuilt small, for the filter suites on relations. Items are tagged through
 * a many2many, tags form a tree through `parent_id`, authors see their items through a one2many.
 */
export function relationModels(prefix: string) {
  const Author = model(`${prefix}_authors`, {
    name: f.char({ maxLength: 10, required: true }),
    item_ids: f.one2many((): AnyModel => Item, "creator_id"),
  });
  const Tag = model(`${prefix}_tags`, {
    name: f.char({ maxLength: 10, required: true }),
    parent_id: f.many2one((): AnyModel => Tag),
  });
  const Item = model(`${prefix}_items`, {
    name: f.char({ maxLength: 10, required: true }),
    note: f.char({ maxLength: 10 }),
    creator_id: f.many2one(() => Author),
    tag_ids: f.many2many(() => Tag, { table: `${prefix}_item_tags`, column1: "item_id", column2: "tag_id" }),
  });
  return { Author, Tag, Item, models: [Author, Tag, Item] as const };
}

/** The models of {@link relationModels}. */
export type RelationModels = ReturnType<typeof relationModels>;

/** Ids of the seeded rows, by name. */
export interface RelationData {
  readonly authors: Record<"a1" | "a2" | "a3" | "a4", number>;
  readonly tags: Record<"t1" | "t2" | "t3" | "t4" | "t5", number>;
  readonly items: Record<"one" | "two" | "three" | "four" | "five", number>;
}

/**
 * Connects the relation models on `adapter`'s database (next to a suite's own tables), syncs them and
 * seeds Django's Queries1 rows: tags t1 (root), t2 and t3 under t1, t4 and t5 under t3; items one
 * (by a1, tags t1 t2, note n3), two (a2, t1 t3, n2), three (a2, no tags, n3), four (a4, t4, no note)
 * and five (no author, t5, n1); author a3 has no items.
 */
export async function seedRelations(
  adapter: Database["adapter"],
  prefix: string,
  access?: AccessChecker<any>,
): Promise<RelationModels & RelationData & { db: Database }> {
  const models = relationModels(prefix);
  const { Author, Tag, Item } = models;
  const db = await connect(adapter, { models: [...models.models], access });
  await db.sync();
  return db.sudo(async () => {
    const [a1, a2, a3, a4] = (await Author.createMany([
      { name: "a1" },
      { name: "a2" },
      { name: "a3" },
      { name: "a4" },
    ])) as [number, number, number, number];
    const t1 = await Tag.create({ name: "t1" });
    const [t2, t3] = (await Tag.createMany([
      { name: "t2", parent_id: t1 },
      { name: "t3", parent_id: t1 },
    ])) as [number, number];
    const [t4, t5] = (await Tag.createMany([
      { name: "t4", parent_id: t3 },
      { name: "t5", parent_id: t3 },
    ])) as [number, number];
    const [one, two, three, four, five] = (await Item.createMany([
      { name: "one", creator_id: a1, note: "n3", tag_ids: [t1, t2] },
      { name: "two", creator_id: a2, note: "n2", tag_ids: [t1, t3] },
      { name: "three", creator_id: a2, note: "n3" },
      { name: "four", creator_id: a4, tag_ids: [t4] },
      { name: "five", note: "n1", tag_ids: [t5] },
    ])) as [number, number, number, number, number];
    return {
      ...models,
      db,
      authors: { a1, a2, a3, a4 },
      tags: { t1, t2, t3, t4, t5 },
      items: { one, two, three, four, five },
    };
  });
}
