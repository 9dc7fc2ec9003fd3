import { type AccessChecker, type Database, QueryError } from "@dotorm/core";
import { beforeAll, expect, test } from "vitest";
import { suite } from "../harness.js";
import { type RelationData, type RelationModels, seedRelations } from "../relation-data.js";
import type { ConformanceTarget } from "../target.js";

/** Filters outside the compile-time types, as callers without types send them. */
const untyped = (filter: unknown) => filter as never;

interface Session {
  hideTag: string;
}

/** Sessions (`{ hideTag }`) may not read the tag of that name. */
const hideTags: AccessChecker<Session> = {
  check: ({ session, model }) => (session && model.endsWith("_tags") ? [["name", "!=", session.hideTag]] : true),
};

/**
 * Filters on one2many / many2many fields and through relations, checked against the facts of
 * Odoo's `test_expression.py` and Django's `tests/queries` / `tests/null_queries` cases (rebuilt on
 * {@link seedRelations}' data set): negative operators and null on x2many fields, a missing related
 * row counting as null along a path, one related record per `filter({})` call, over-long values,
 * and the error for a text operator on a relation.
 */
export function filterRelations(target: ConformanceTarget) {
  return suite("filter-relations", target, (ctx) => {
    let data: RelationModels & RelationData & { db: Database };
    beforeAll(async () => {
      data = await seedRelations(
        ctx().db.adapter,
        `${ctx().Thing.meta.table.replace(/_things$/, "")}_rel`,
        hideTags as AccessChecker<any>,
      );
    });

    /** Item names matching `filter`, in id order. */
    const items = async (filter: unknown[]) =>
      (await data.Item.search({ filter: untyped(filter), fields: ["name"], order: "id" })).map((r) => r.name);
    /** Author names matching `filter`, in id order. */
    const authors = async (filter: unknown[]) =>
      (await data.Author.search({ filter: untyped(filter), fields: ["name"], order: "id" })).map((r) => r.name);

    test("x2many: not in / != mean no related record is in the list; records without any match (Odoo test_00_in_not_in_m2m)", async () => {
      const { t1, t2 } = data.tags;
      expect(await items([["tag_ids", "in", [t1]]])).toEqual(["one", "two"]);
      expect(await items([["tag_ids", "in", [t1, t2]]])).toEqual(["one", "two"]);
      expect(
        await items([
          ["tag_ids", "in", [t1]],
          ["tag_ids", "in", [t2]],
        ]),
      ).toEqual(["one"]);
      expect(await items([["tag_ids", "not in", [t1, t2]]])).toEqual(["three", "four", "five"]);
      expect(
        await items([
          ["tag_ids", "not in", [t1]],
          ["tag_ids", "not in", [t2]],
        ]),
      ).toEqual(["three", "four", "five"]);
      expect(await items([["tag_ids", "not in", [t2]]])).toEqual(["two", "three", "four", "five"]);
      expect(await items([["tag_ids", "!=", t1]])).toEqual(["three", "four", "five"]);
      expect(await items([["not", ["tag_ids", "in", [t1]]]])).toEqual(await items([["tag_ids", "not in", [t1]]]));
    });

    test("x2many: = null / isnull mean no related record, != null at least one, not in [] every record (Django ticket1050, ticket2400; Odoo test_15_o2m)", async () => {
      const { Item } = data;
      expect(await items([["tag_ids", "=", null]])).toEqual(["three"]);
      expect(await items([["tag_ids", "is null"]])).toEqual(["three"]);
      expect(await items([["tag_ids", "!=", null]])).toEqual(["one", "two", "four", "five"]);
      expect(await items([["tag_ids", "in", []]])).toEqual([]);
      expect(await items([["tag_ids", "not in", []]])).toEqual(["one", "two", "three", "four", "five"]);
      expect(await authors([["item_ids", "=", null]])).toEqual(["a3"]);
      expect(await authors([["item_ids", "not in", [data.items.one]]])).toEqual(["a2", "a3", "a4"]);
      expect(await authors([["item_ids", "!=", data.items.two]])).toEqual(["a1", "a3", "a4"]);
      const lookup = async (q: ReturnType<typeof Item.query>) => (await q.orderBy("id")).map((r) => r.name);
      expect(await lookup(Item.query().filter({ tag_ids__isnull: true }))).toEqual(["three"]);
      expect(await lookup(Item.query().filter({ tag_ids__isnull: false }))).toEqual(["one", "two", "four", "five"]);
      // Django tickets 5324/6704: exclude across a many2many with several related records
      expect(await lookup(Item.query().exclude({ tag_ids__name: "t1" }))).toEqual(["three", "four", "five"]);
      expect(await lookup(Item.query().exclude({ tag_ids__name: "t1" }).exclude({ tag_ids__name: "t4" }))).toEqual([
        "three",
        "five",
      ]);
    });

    test("x2many conditions see only the related records the session may read", async () => {
      const { db } = data;
      const as = <T>(fn: () => Promise<T>) => db.withSession({ hideTag: "t4" } satisfies Session, fn);
      expect(await as(() => items([["tag_ids", "=", null]]))).toEqual(["three", "four"]);
      expect(await as(() => items([["tag_ids", "not in", [data.tags.t4]]]))).toEqual([
        "one",
        "two",
        "three",
        "four",
        "five",
      ]);
      expect(await as(() => items([["tag_ids.name", "=", null]]))).toEqual(["three", "four"]);
      expect(await as(() => items([["tag_ids", "!=", null]]))).toEqual(["one", "two", "five"]);
    });

    test("a missing related row counts as null along a path (Django ticket_10790_4, null_queries)", async () => {
      const { Item } = data;
      expect(await items([["creator_id.name", "=", null]])).toEqual(["five"]);
      expect(await items([["creator_id.name", "!=", null]])).toEqual(["one", "two", "three", "four"]);
      expect(await items([["creator_id.name", "!=", "a1"]])).toEqual(["two", "three", "four", "five"]);
      expect(await items([["not", ["creator_id.name", "=", null]]])).toEqual(["one", "two", "three", "four"]);
      expect(await items([["tag_ids.id", "=", null]])).toEqual(["three"]);
      expect(await items([["tag_ids.parent_id", "=", null]])).toEqual(["one", "two", "three"]);
      expect(await authors([["item_ids.note", "=", null]])).toEqual(["a3", "a4"]);
      expect(await authors([["item_ids.note", "in", ["n2", null]]])).toEqual(["a2", "a3", "a4"]);
      expect(await authors([["item_ids.note", "!=", "n3"]])).toEqual(["a3", "a4"]);
      expect(await authors([["item_ids.tag_ids", "=", null]])).toEqual(["a2", "a3"]);
      expect(await authors([["item_ids.tag_ids.parent_id", "is null"]])).toEqual(["a1", "a2", "a3"]);
      expect(await authors([["item_ids.tag_ids.parent_id", "is not null"]])).toEqual(["a4"]);
      const names = async (q: ReturnType<typeof Item.query>) => (await q.orderBy("id")).map((r) => r.name);
      expect(await names(Item.query().filter({ creator_id__name__isnull: true }))).toEqual(["five"]);
      expect(await names(Item.query().exclude({ creator_id__name__isnull: true }))).toEqual([
        "one",
        "two",
        "three",
        "four",
      ]);
    });

    test("lookups of one filter() call on the same to-many path hold on one related record (Django test_ticket2306)", async () => {
      const { Item, Author } = data;
      const { t1, t2 } = data.tags;
      const names = async (q: { orderBy(...t: string[]): PromiseLike<{ name: string }[]> }) =>
        (await q.orderBy("id")).map((r) => r.name);
      expect(await names(Item.query().filter({ tag_ids: t1 }))).toEqual(["one", "two"]);
      expect(await names(Item.query().filter({ tag_ids: t1 }).filter({ tag_ids: t2 }))).toEqual(["one"]);
      expect(await names(Item.query().filter({ tag_ids: t1, tag_ids__id: t2 }))).toEqual([]);
      expect(await names(Item.query().filter({ tag_ids__name: "t1", tag_ids__parent_id__name: "t1" }))).toEqual([]);
      expect(await names(Item.query().filter({ tag_ids__name: "t2", tag_ids__parent_id__name: "t1" }))).toEqual([
        "one",
      ]);
      expect(await names(Author.query().filter({ item_ids__name: "two", item_ids__note: "n3" }))).toEqual([]);
      expect(await names(Author.query().filter({ item_ids__name: "three", item_ids__note: "n3" }))).toEqual(["a2"]);
      expect(await names(Author.query().filter({ item_ids__name: "two" }).filter({ item_ids__note: "n3" }))).toEqual([
        "a2",
      ]);
      expect(await names(Author.query().exclude({ item_ids__name: "two", item_ids__note: "n3" }))).toEqual([
        "a1",
        "a2",
        "a3",
        "a4",
      ]);
      // every condition holds for an empty record: authors without items match, as with one condition
      expect(
        await names(Author.query().filter({ item_ids__note__isnull: true, item_ids__tag_ids__isnull: true })),
      ).toEqual(["a3"]);
      expect(
        await names(Author.query().filter({ item_ids__note__isnull: true, item_ids__name__in: ["four", null] })),
      ).toEqual(["a3", "a4"]);
      // isnull: false through a to-many is "some related record has one" (Django ticket_10790_5), as a join reads it
      expect(await names(Author.query().filter({ item_ids__tag_ids__isnull: false }))).toEqual(["a1", "a2", "a4"]);
      expect(await names(Author.query().exclude({ item_ids__tag_ids__isnull: true }))).toEqual(["a1", "a4"]);
      expect(await names(Author.query().filter({ item_ids__note__isnull: false }))).toEqual(["a1", "a2"]);
      // the same as a filter list, with `any`
      expect(
        await authors([
          [
            "item_ids",
            "any",
            [
              ["name", "=", "two"],
              ["note", "=", "n3"],
            ],
          ],
        ]),
      ).toEqual([]);
      expect(await authors([["item_ids", "not any", [["note", "=", "n3"]]]])).toEqual(["a3", "a4"]);
      expect(await items([["creator_id", "any", [["name", "in", ["a1", "a4"]]]]])).toEqual(["one", "four"]);
    });

    test("a value longer than the field's maxLength matches nothing and raises nothing (Django EmptyStringsAsNullTest)", async () => {
      const long = "x".repeat(11);
      const all = ["one", "two", "three", "four", "five"];
      expect(await items([["name", "=", long]])).toEqual([]);
      expect(await items([["name", "!=", long]])).toEqual(all);
      expect(await items([["note", "!=", long]])).toEqual(all);
      expect(await items([["name", "in", [long, "two"]]])).toEqual(["two"]);
      expect(await items([["name", "not in", [long]]])).toEqual(all);
      expect(await items([["name", "like", long]])).toEqual([]);
      expect(await items([["name", "ilike", "ONE"]])).toEqual(["one"]);
      expect(await items([["name", "<", "zzzzzzzzzzzz"]])).toEqual(all);
      expect(await items([["name", "between", ["a", "zzzzzzzzzzzz"]]])).toEqual(all);
      expect(await items([["creator_id.name", "=", long]])).toEqual([]);
      expect(await items([["creator_id.name", "!=", long]])).toEqual(all);
      const q = await data.Item.query()
        .filter({ name__in: [long], note__iexact: long })
        .count();
      expect(q).toBe(0);
    });

    test("a text operator on a relation field asks for a dotted path, before any SQL", async () => {
      const statements: string[] = [];
      const listener = (e: { sql: string }) => statements.push(e.sql);
      data.db.on("query", listener);
      try {
        for (const op of ["like", "ilike", "not like", "=like"]) {
          const e = (await data.Item.search({ filter: untyped([["tag_ids", op, "t"]]) }).catch(
            (x: unknown) => x,
          )) as QueryError;
          expect(e).toBeInstanceOf(QueryError);
          expect(e.message).toContain('"tag_ids.name"');
          expect(e.message).not.toMatch(/\ba integer\b/);
          expect(e.field).toBe("tag_ids");
        }
        const m2o = (await data.Item.search({ filter: untyped([["creator_id", "ilike", "a"]]) }).catch(
          (x: unknown) => x,
        )) as QueryError;
        expect(m2o.message).toContain('"creator_id.name"');
        const scalar = (await data.Item.search({ filter: untyped([["id", "like", "1"]]) }).catch(
          (x: unknown) => x,
        )) as QueryError;
        expect(scalar.message).toContain("is an integer field");
      } finally {
        data.db.off("query", listener);
      }
      expect(statements).toEqual([]);
    });
  });
}
