import { QueryError } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Options outside the compile-time types, as callers without types send them. */
const untyped = (value: unknown) => value as never;

/** order / sort, ties, NULL placement, limit / offset, and refusal of bad order strings. */
export function ordering(target: ConformanceTarget) {
  return suite("ordering", target, (ctx) => {
    /** Things tagged `tag`: labels b, a, b, a, c with small 1, 2, 3, NULL, NULL; returns their ids. */
    async function seed(tag: string) {
      const { Thing } = ctx();
      return Thing.createMany([
        { label: "b", small: 1, code: "x", notes: tag },
        { label: "a", small: 2, code: "z", notes: tag },
        { label: "b", small: 3, code: "y", notes: tag },
        { label: "a", small: null, notes: tag },
        { label: "c", small: null, notes: tag },
      ]);
    }

    async function ids(
      tag: string,
      options: { order?: string; sort?: "asc" | "desc"; limit?: number; offset?: number },
    ) {
      const { Thing } = ctx();
      return (await Thing.search({ filter: [["notes", "=", tag]], fields: ["label"], ...options })).map((r) => r.id);
    }

    test("several terms with their own directions; ties are broken by id", async () => {
      const [b1, a1, b2, a2, c] = await seed("terms");
      expect(await ids("terms", { order: "label desc, id" })).toEqual([c, b1, b2, a1, a2]);
      expect(await ids("terms", { order: "label desc, id desc" })).toEqual([c, b2, b1, a2, a1]);
      expect(await ids("terms", { order: "label" })).toEqual([a1, a2, b1, b2, c]);
      expect(await ids("terms", { order: "label DESC" })).toEqual([c, b1, b2, a1, a2]);
      expect(await ids("terms", { order: "code" })).toEqual([b1, b2, a1, a2, c]);
    });

    test("sort is the direction of the terms that give none", async () => {
      const [b1, a1, b2, a2, c] = await seed("sort");
      expect(await ids("sort", { order: "label", sort: "desc" })).toEqual([c, b1, b2, a1, a2]);
      expect(await ids("sort", { order: "label asc, small", sort: "desc" })).toEqual([a2, a1, b2, b1, c]);
      expect(await ids("sort", { sort: "desc" })).toEqual([c, a2, b2, a1, b1]);
    });

    test("NULLs sort last ascending and first descending", async () => {
      const [b1, a1, b2, a2, c] = await seed("nulls");
      expect(await ids("nulls", { order: "small" })).toEqual([b1, a1, b2, a2, c]);
      expect(await ids("nulls", { order: "small desc" })).toEqual([a2, c, b2, a1, b1]);
      expect(await ids("nulls", { order: "small", sort: "desc" })).toEqual([a2, c, b2, a1, b1]);
    });

    test("limit and offset page through a non-unique order without gaps or repeats", async () => {
      const all = await seed("pages");
      const sorted = await ids("pages", { order: "label desc" });
      const pages = [];
      for (let offset = 0; offset < all.length; offset += 2)
        pages.push(...(await ids("pages", { order: "label desc", limit: 2, offset })));
      expect(pages).toEqual(sorted);
      expect([...pages].sort((x, y) => x - y)).toEqual(all);
      expect(await ids("pages", { limit: 0 })).toEqual([]);
      expect(await ids("pages", { offset: 4 })).toEqual(all.slice(4));
      expect(await ids("pages", { offset: 50 })).toEqual([]);
    });

    test("bad limit, offset, order or sort raise QueryError before any SQL", async () => {
      const { Thing, Chat, record } = ctx();
      const bad: Record<string, unknown>[] = [
        { limit: -1 },
        { limit: 1.5 },
        { limit: "10" },
        { limit: Number.NaN },
        { offset: -5 },
        { offset: "1" },
        { order: "nope" },
        { order: "shout" },
        { order: "label desc desc" },
        { order: "label descending" },
        { order: "label, " },
        { order: "label; drop table x" },
        { order: "thing_code" },
        { order: 5 },
        { sort: "up" },
        { sort: "desc; drop" },
      ];
      for (const options of bad) {
        const { result, statements } = await record(() => Thing.search(untyped(options)).catch((e: unknown) => e));
        expect(result, JSON.stringify(options)).toBeInstanceOf(QueryError);
        expect(statements).toHaveLength(0);
      }
      const err = await Chat.search(untyped({ order: "messages" })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueryError);
      expect((err as QueryError).message).toContain("messages");
    });
  });
}
