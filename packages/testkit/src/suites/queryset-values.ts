import { QueryError } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** values() and valuesList() return exactly the named fields, as Django's values() / values_list(). */
export function querysetValues(target: ConformanceTarget) {
  return suite("queryset values", target, (ctx) => {
    async function seed(tag: string) {
      const { User, Chat } = ctx();
      const ann = await User.create({ name: `Ann ${tag}` });
      const ids = await Chat.createMany([
        { name: `${tag} a`, chat_type: "direct", creator_id: ann },
        { name: `${tag} b`, chat_type: "group", creator_id: ann, is_archived: true },
      ]);
      return {
        ann,
        ids,
        qs: Chat.query()
          .filter({ name__startswith: `${tag} ` })
          .orderBy("id"),
      };
    }

    test("values(names) gives exactly those keys in the order named; id only when named", async () => {
      const { qs, ids } = await seed("v1");
      const rows = await qs.values("name", "chat_type");
      expect(rows).toEqual([
        { name: "v1 a", chat_type: "direct" },
        { name: "v1 b", chat_type: "group" },
      ]);
      expect(Object.keys(rows[0] ?? {})).toEqual(["name", "chat_type"]);
      expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
      expect(await qs.values("chat_type", "id")).toEqual([
        { chat_type: "direct", id: ids[0] },
        { chat_type: "group", id: ids[1] },
      ]);
      expect(Object.keys((await qs.values("chat_type", "id"))[0] ?? {})).toEqual(["chat_type", "id"]);
    });

    test("values() without names gives every field the read loads, id included", async () => {
      const { qs, ids, ann } = await seed("v2");
      const [row] = await qs.limit(1).values();
      expect(row).toMatchObject({ id: ids[0], name: "v2 a", creator_id: ann, is_archived: false });
    });

    test("valuesList: one list per record in the order named, flat for one field; no id unless named", async () => {
      const { qs, ids } = await seed("v3");
      expect(await qs.valuesList("name")).toEqual([["v3 a"], ["v3 b"]]);
      expect(await qs.valuesList("is_archived", "name")).toEqual([
        [false, "v3 a"],
        [true, "v3 b"],
      ]);
      expect(await qs.valuesList("name", { flat: true })).toEqual(["v3 a", "v3 b"]);
      expect(await qs.valuesList("id", { flat: true })).toEqual(ids);
      await expect(qs.valuesList("name", "id", { flat: true } as never)).rejects.toBeInstanceOf(QueryError);
    });

    test("an unknown name is a QueryError naming it, before any SQL", async () => {
      const { qs } = await seed("v4");
      const { statements } = await ctx().record(async () => {
        await expect(qs.values("name", "nope" as never)).rejects.toMatchObject({ name: "QueryError", field: "nope" });
      });
      expect(statements).toHaveLength(0);
    });
  });
}
