import { QueryError } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Filters outside the compile-time types (unknown names, bad shapes) as callers without types send them. */
const untyped = (filter: unknown) => filter as never;

/** Every operator, null semantics, like escaping, and/or/not, groups, dotted paths, refusals. */
export function filters(target: ConformanceTarget) {
  return suite("filters", target, (ctx) => {
    /** Labels of the Things tagged `tag` matching `filter`, in id order. */
    async function labels(tag: string, filter: readonly unknown[]): Promise<string[]> {
      const { Thing } = ctx();
      const rows = await Thing.search({
        filter: untyped([["notes", "=", tag], filter]),
        fields: ["label"],
        order: "id",
      });
      return rows.map((r) => r.label);
    }

    /** Four Things whose `small` is 1, 2, 3 and NULL, labelled a, b, c, n. */
    async function numbers(tag: string) {
      const { Thing } = ctx();
      await Thing.createMany([
        { label: "a", small: 1, notes: tag },
        { label: "b", small: 2, notes: tag },
        { label: "c", small: 3, notes: tag },
        { label: "n", small: null, notes: tag },
      ]);
    }

    test("comparison operators; negative ones also match NULL rows", async () => {
      await numbers("cmp");
      const cases: [unknown[], string[]][] = [
        [["small", "=", 2], ["b"]],
        [
          ["small", "!=", 2],
          ["a", "c", "n"],
        ],
        [
          ["small", ">", 1],
          ["b", "c"],
        ],
        [
          ["small", ">=", 2],
          ["b", "c"],
        ],
        [
          ["small", "<", 3],
          ["a", "b"],
        ],
        [
          ["small", "<=", 2],
          ["a", "b"],
        ],
        [
          ["small", "between", [2, 3]],
          ["b", "c"],
        ],
        [
          ["small", "not between", [2, 3]],
          ["a", "n"],
        ],
      ];
      for (const [cond, expected] of cases) expect(await labels("cmp", cond), JSON.stringify(cond)).toEqual(expected);
    });

    test("in / not in, with NULL in the list and with an empty list", async () => {
      await numbers("in");
      const cases: [unknown[], string[]][] = [
        [
          ["small", "in", [1, 3]],
          ["a", "c"],
        ],
        [
          ["small", "not in", [1, 3]],
          ["b", "n"],
        ],
        [
          ["small", "in", [1, null]],
          ["a", "n"],
        ],
        [
          ["small", "not in", [1, null]],
          ["b", "c"],
        ],
        [["small", "in", []], []],
        [
          ["small", "not in", []],
          ["a", "b", "c", "n"],
        ],
      ];
      for (const [cond, expected] of cases) expect(await labels("in", cond), JSON.stringify(cond)).toEqual(expected);
    });

    test("= / != null mean IS NULL / IS NOT NULL, like the explicit operators", async () => {
      await numbers("null");
      expect(await labels("null", ["small", "=", null])).toEqual(["n"]);
      expect(await labels("null", ["small", "is null"])).toEqual(["n"]);
      expect(await labels("null", ["small", "!=", null])).toEqual(["a", "b", "c"]);
      expect(await labels("null", ["small", "is not null"])).toEqual(["a", "b", "c"]);
    });

    test("like / ilike match substrings and take % and _ literally; =like / =ilike take patterns", async () => {
      const { Thing } = ctx();
      const values = ["Alpha", "alpha_1", "50%off", "beta", null];
      await Thing.createMany(values.map((code, i) => ({ label: `l${i}`, code, notes: "like" })));
      const codes = async (cond: unknown[]) => {
        const rows = await Thing.search({
          filter: untyped([["notes", "=", "like"], cond]),
          fields: ["code"],
          order: "id",
        });
        return rows.map((r) => r.code);
      };
      const cases: [unknown[], (string | null)[]][] = [
        [
          ["code", "like", "lph"],
          ["Alpha", "alpha_1"],
        ],
        [["code", "like", "Alp"], ["Alpha"]],
        [
          ["code", "ilike", "ALP"],
          ["Alpha", "alpha_1"],
        ],
        [
          ["code", "not like", "Alp"],
          ["alpha_1", "50%off", "beta", null],
        ],
        [
          ["code", "not ilike", "ALP"],
          ["50%off", "beta", null],
        ],
        [["code", "like", "%"], ["50%off"]],
        [["code", "like", "_"], ["alpha_1"]],
        [["code", "ilike", "A_1"], ["alpha_1"]],
        [["code", "=like", "a%"], ["alpha_1"]],
        [
          ["code", "=ilike", "a%"],
          ["Alpha", "alpha_1"],
        ],
        [["code", "=like", "_eta"], ["beta"]],
        [["code", "=ilike", "BETA"], ["beta"]],
      ];
      for (const [cond, expected] of cases) expect(await codes(cond), JSON.stringify(cond)).toEqual(expected);
    });

    test("adjacent conditions are ANDed and AND binds tighter than OR; groups nest", async () => {
      await numbers("prec");
      expect(await labels("prec", [["small", "=", 1], ["small", "=", 2], "or", ["small", "=", 3]])).toEqual(["c"]);
      expect(await labels("prec", [["small", "=", 1], "or", ["small", "=", 2], ["label", "=", "c"]])).toEqual(["a"]);
      expect(await labels("prec", [["small", "=", 1], "or", ["small", "=", 2], "and", ["label", "=", "b"]])).toEqual([
        "a",
        "b",
      ]);
      expect(
        await labels("prec", [
          [["small", "=", 1], "or", ["small", "=", 2]],
          ["label", "!=", "a"],
        ]),
      ).toEqual(["b"]);
      expect(
        await labels("prec", [
          [
            ["small", "=", 1],
            "or",
            [
              ["small", "=", 3],
              ["label", "=", "c"],
            ],
          ],
        ]),
      ).toEqual(["a", "c"]);
    });

    test('["not", item] is the complement, NULL rows included', async () => {
      await numbers("not");
      expect(await labels("not", ["not", ["small", "=", 1]])).toEqual(["b", "c", "n"]);
      expect(await labels("not", ["not", [["small", "=", 1], "or", ["small", "=", 2]]])).toEqual(["c", "n"]);
      expect(await labels("not", ["not", ["not", ["small", ">", 1]]])).toEqual(["b", "c"]);
      expect(await labels("not", ["not", ["small", "is null"]])).toEqual(["a", "b", "c"]);
    });

    test("other field types: booleans, decimals, dates, selections, many2one ids", async () => {
      const { Thing, Chat, User } = ctx();
      await Thing.createMany([
        { label: "x", flag: true, price: "10.50", day: "2024-01-31", kind: "a", notes: "types" },
        { label: "y", flag: false, price: "2.25", day: "2024-02-29", kind: "b", notes: "types" },
      ]);
      expect(await labels("types", ["flag", "=", true])).toEqual(["x"]);
      expect(await labels("types", ["flag", "!=", true])).toEqual(["y"]);
      expect(await labels("types", ["price", ">", "3"])).toEqual(["x"]);
      expect(await labels("types", ["price", "=", 2.25])).toEqual(["y"]);
      expect(await labels("types", ["day", ">=", "2024-02-01"])).toEqual(["y"]);
      expect(await labels("types", ["day", "between", ["2024-01-01", "2024-01-31"]])).toEqual(["x"]);
      expect(await labels("types", ["kind", "in", ["b"]])).toEqual(["y"]);
      const ann = await User.create({ name: "m2o-ann" });
      const bob = await User.create({ name: "m2o-bob" });
      const chat = await Chat.create({ name: "m2o", creator_id: ann });
      await Chat.create({ name: "m2o", creator_id: bob });
      const byId = await Chat.search({
        filter: [
          ["name", "=", "m2o"],
          ["creator_id", "=", ann],
        ],
        fields: ["name"],
      });
      expect(byId.map((c) => c.id)).toEqual([chat]);
    });

    test("dotted paths through many2one, one2many and many2many", async () => {
      const { Chat, ChatMessage, Role, User } = ctx();
      const [admin, staff] = await Role.createMany([{ code: "path-admin" }, { code: "path-staff" }]);
      const ann = await User.create({ name: "Path Ann", role_ids: [admin as number] });
      const bob = await User.create({ name: "Path Bob", role_ids: [staff as number] });
      const annChat = await Chat.create({ name: "path-1", creator_id: ann });
      const bobChat = await Chat.create({ name: "path-2", creator_id: bob });
      await ChatMessage.createMany([
        { chat_id: annChat, author_user_id: bob, body: "needle in here" },
        { chat_id: bobChat, author_user_id: ann, body: "hay" },
      ]);
      const chats = async (filter: readonly unknown[]) =>
        (await Chat.search({ filter: untyped([["name", "like", "path-"], ...filter]), fields: ["name"] })).map(
          (c) => c.name,
        );
      expect(await chats([["creator_id.name", "=", "Path Ann"]])).toEqual(["path-1"]);
      expect(await chats([["creator_id.name", "ilike", "path b"]])).toEqual(["path-2"]);
      expect(await chats([["messages.body", "like", "needle"]])).toEqual(["path-1"]);
      expect(await chats([["messages.author_user_id.name", "=", "Path Ann"]])).toEqual(["path-2"]);
      expect(await chats([["creator_id.role_ids.code", "=", "path-staff"]])).toEqual(["path-2"]);
      expect(await chats([["messages.body", "=", "hay"], "or", ["creator_id.name", "=", "Path Ann"]])).toEqual([
        "path-1",
        "path-2",
      ]);
      const users = await User.search({ filter: [["role_ids.code", "=", "path-admin"]], fields: ["name"] });
      expect(users.map((u) => u.id)).toEqual([ann]);
      const byIds = await User.search({ filter: [["role_ids", "in", [staff as number]]], fields: ["name"] });
      expect(byIds.map((u) => u.id)).toEqual([bob]);
    });

    test("unknown fields, operators and malformed filters raise QueryError before any SQL", async () => {
      const { Chat, Thing, record } = ctx();
      const bad: unknown[] = [
        [["nope", "=", 1]],
        [["name", "~", "x"]],
        [["name", "=="]],
        [["creator_id.nope", "=", 1]],
        [["name.length", "=", 1]],
        [["messages.body.x", "=", 1]],
        [["name", "in", "General"]],
        [["name", "between", ["a"]]],
        [["name", "=", { toString: () => "x" }]],
        [["is_archived", ">", true]],
        [["is_archived", "like", "t"]],
        [["creator_id", "=", "1; drop"]],
        ["and", ["name", "=", "x"]],
        [["name", "=", "x"], "or"],
        [["not"]],
        ["name", "=", "x"],
        [42],
      ];
      for (const filter of bad) {
        const { result, statements } = await record(() =>
          Chat.search({ filter: untyped(filter) }).catch((e: unknown) => e),
        );
        expect(result, JSON.stringify(filter)).toBeInstanceOf(QueryError);
        expect(statements).toHaveLength(0);
      }
      const { result, statements } = await record(async () => {
        const errors = await Promise.all([
          Thing.search({ filter: untyped([["shout", "=", "X"]]) }).catch((e: unknown) => e),
          Thing.count({ filter: untyped([["small", "=", 40000]]) }).catch((e: unknown) => e),
          Thing.exists({ filter: untyped([["day", "=", "2024-02-30"]]) }).catch((e: unknown) => e),
          Chat.updateMany(untyped([["nope", "=", 1]]), { name: "x" }).catch((e: unknown) => e),
          Chat.deleteMany(untyped([["name", "nope", 1]])).catch((e: unknown) => e),
        ]);
        return errors;
      });
      for (const e of result) expect(e).toBeInstanceOf(QueryError);
      expect(statements).toHaveLength(0);
      const unknown = (await Chat.search({ filter: untyped([["nope", "=", 1]]) }).catch(
        (e: unknown) => e,
      )) as QueryError;
      expect(unknown.message).toContain("nope");
      expect(unknown.field).toBe("nope");
    });
  });
}
