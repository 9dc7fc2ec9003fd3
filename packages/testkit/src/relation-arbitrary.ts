import fc from "fast-check";
import type { RelationData } from "./relation-data.js";

type Condition = readonly unknown[];

/** The positive operator a negative one complements (`!=` -> `=`, `not in` -> `in`, `is not null` -> `is null`), else undefined. */
const positiveOf = (op: string): string | undefined =>
  op === "!=" ? "=" : op === "is not null" ? "is null" : op.startsWith("not ") ? op.slice(4) : undefined;

/**
 * Random filters on the items of {@link RelationData}: conditions on scalar fields, on the many2one
 * `creator_id`, on the many2many `tag_ids` itself, through dotted paths of one to three hops (some
 * through a one2many) and with `any` / `not any`, every operator, NULLs and over-long values, nested
 * in groups, `or` and `not`. `negative` gives a condition with a negative operator and the same
 * condition with its positive one. `textOrdering: false` leaves out `between` on text, whose order
 * is the database's collation.
 */
export function relationFilter(data: RelationData, { textOrdering = true } = {}) {
  const authorIds = Object.values(data.authors);
  const tagIds = Object.values(data.tags);
  const text = fc.constantFrom("one", "two", "t1", "t3", "a1", "a2", "n3", "n2", "o", "T", "x".repeat(11));
  const textOrNull = fc.oneof(text, fc.constant(null));
  const textPaths = fc.constantFrom(
    "name",
    "note",
    "creator_id.name",
    "tag_ids.name",
    "tag_ids.parent_id.name",
    "creator_id.item_ids.note",
  );
  const idPaths = fc.constantFrom<[string, readonly number[]]>(
    ["creator_id", authorIds],
    ["tag_ids", tagIds],
    ["tag_ids.parent_id", tagIds],
    ["tag_ids.id", tagIds],
    ["creator_id.item_ids", Object.values(data.items)],
  );
  const textCond: fc.Arbitrary<Condition> = fc.oneof(
    fc.tuple(textPaths, fc.constantFrom("=", "!="), textOrNull).map(([p, op, v]) => [p, op, v]),
    fc
      .tuple(textPaths, fc.constantFrom("like", "ilike", "not like", "not ilike", "=like"), text)
      .map(([p, op, v]) => [p, op, v]),
    fc
      .tuple(textPaths, fc.constantFrom("in", "not in"), fc.array(textOrNull, { maxLength: 3 }))
      .map(([p, op, v]) => [p, op, v]),
    fc.tuple(textPaths, fc.constantFrom("is null", "is not null")).map(([p, op]) => [p, op]),
    ...(textOrdering
      ? [
          fc
            .tuple(textPaths, fc.constantFrom("between", "not between"), text, text)
            .map(([p, op, a, b]) => [p, op, a < b ? [a, b] : [b, a]]),
        ]
      : []),
  );
  const idCond: fc.Arbitrary<Condition> = idPaths.chain(([path, pool]) => {
    const id = fc.constantFrom(...pool);
    return fc.oneof(
      fc.tuple(fc.constantFrom("=", "!="), fc.oneof(id, fc.constant(null))).map(([op, v]) => [path, op, v]),
      fc
        .tuple(fc.constantFrom("in", "not in"), fc.array(fc.oneof(id, fc.constant(null)), { maxLength: 3 }))
        .map(([op, v]) => [path, op, v]),
      fc.tuple(fc.constantFrom(">", "<"), id).map(([op, v]) => [path, op, v]),
      fc.constantFrom("is null", "is not null").map((op) => [path, op]),
    );
  });
  const tagCond: fc.Arbitrary<Condition> = fc.oneof(
    fc
      .tuple(
        fc.constantFrom("name", "parent_id.name"),
        fc.constantFrom("=", "!=", "ilike"),
        fc.constantFrom("t1", "t3", "t4"),
      )
      .map(([p, op, v]) => [p, op, v]),
    fc
      .tuple(
        fc.constantFrom("parent_id", "id"),
        fc.constantFrom("=", "!="),
        fc.oneof(fc.constantFrom(...tagIds), fc.constant(null)),
      )
      .map(([p, op, v]) => [p, op, v]),
  );
  const anyCond: fc.Arbitrary<Condition> = fc
    .tuple(fc.constantFrom("any", "not any"), fc.array(tagCond, { maxLength: 2 }))
    .map(([op, sub]) => ["tag_ids", op, sub]);
  const condition = fc.oneof(textCond, idCond, anyCond);
  const negative = condition
    .filter((c) => positiveOf(c[1] as string) !== undefined)
    .map((c): [Condition, Condition] => [c, [c[0], positiveOf(c[1] as string), ...c.slice(2)]]);
  return { item: filterTree(condition), negative };
}

/** Filter items built from `condition`: conditions, groups joined by "and" / "or", and ["not", item], nested. */
export function filterTree(condition: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const { item } = fc.letrec((tie) => ({
    item: fc.oneof({ depthSize: "small", withCrossShrink: true }, condition, tie("group"), tie("not")),
    group: fc
      .array(fc.tuple(fc.constantFrom("and", "or"), tie("item")), { minLength: 1, maxLength: 3 })
      .map((pairs) => pairs.flatMap(([joiner, it], k) => (k === 0 ? [it] : [joiner, it]))),
    not: tie("item").map((it) => ["not", it]),
  }));
  return item;
}
