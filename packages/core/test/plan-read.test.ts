import { describe, expect, test } from "vitest";
import { QueryError } from "../src/errors.js";
import type { SelectItem, SelectNode } from "../src/query/ast.js";
import { defaultNames, planOrder, planRead, type ReadRequest } from "../src/query/plan-read.js";
import { chat, message, show, thing, user } from "./fixtures.js";

// Planning knows nothing of access (the secure step, in access/, is the access suite's business).
const plan = async (req: ReadRequest, model = chat) => planRead(model, req);

/** A select list as names: `creator_id{id,name}` for nested, `role_ids[]` for id lists. */
function items(select: SelectNode): string[] {
  const one = (i: SelectItem): string =>
    i.kind === "column"
      ? i.field.name
      : i.kind === "ids"
        ? `${i.field.name}[]`
        : `${i.field.name}{${items(i.sub).join(",")}}`;
  return select.items.map(one);
}

const order = (model: typeof chat, o?: string, sort?: string) =>
  planOrder(model, o, sort).map((t) => `${t.field.name} ${t.desc ? "desc" : "asc"}`);

describe("fields", () => {
  test("without fields: every stored field (computed ones derived), id first; x2many left out", async () => {
    expect(items(await plan({}))).toEqual(["id", "name", "description", "is_archived", "chat_type", "creator_id"]);
    expect(defaultNames(user)).toEqual(["id", "name", "login", "is_active"]);
    const things = await plan({}, thing);
    expect(things.computed?.map((f) => f.name)).toEqual(["shout"]);
    expect(items(things)).not.toContain("shout");
  });

  test("listed fields, id always added; x2many listed become id arrays", async () => {
    expect(items(await plan({ fields: ["name"] }))).toEqual(["id", "name"]);
    expect(items(await plan({ fields: [] }))).toEqual(["id"]);
    expect(items(await plan({ fields: ["role_ids"] }, user))).toEqual(["id", "role_ids[]"]);
  });

  test("a computed field loads what it depends on", async () => {
    const select = await plan({ fields: ["shout"] }, thing);
    expect(items(select)).toEqual(["id", "code"]);
    expect(select.computed?.map((f) => f.name)).toEqual(["shout"]);
  });

  test("unknown fields are refused before any SQL", async () => {
    await expect(plan({ fields: ["name", "nmae"] })).rejects.toMatchObject({ name: "QueryError", field: "nmae" });
    await expect(plan({ fields: "name" as unknown as string[] })).rejects.toThrow(/fields must be a list/);
  });
});

describe("nested", () => {
  test("many2one and one2many replace the column; deeper maps nest further", async () => {
    const select = await plan({
      fields: ["name", "creator_id"],
      nested: { creator_id: ["name"], messages: ["body", { author_user_id: ["login"] }] },
    });
    expect(items(select)).toEqual(["id", "name", "creator_id{id,name}", "messages{id,body,author_user_id{id,login}}"]);
  });

  test("a list without names, or true, loads the target's default fields", async () => {
    expect(items(await plan({ fields: [], nested: { creator_id: [] } }))).toEqual([
      "id",
      "creator_id{id,name,login,is_active}",
    ]);
    expect(items(await plan({ fields: [], nested: { creator_id: true } }))).toEqual([
      "id",
      "creator_id{id,name,login,is_active}",
    ]);
  });

  test("the object form takes filter, order and limit for x2many", async () => {
    const select = await plan({
      fields: [],
      nested: {
        messages: { fields: ["body"], filter: [["body", "ilike", "hi"]], order: "id desc", limit: 5, offset: 10 },
      },
    });
    const sub = (select.items[1] as Extract<SelectItem, { kind: "nested" }>).sub;
    expect(items(sub)).toEqual(["id", "body"]);
    expect(show(sub.where)).toBe('chat_messages.body ilike "%hi%"');
    expect(sub.order.map((o) => `${o.field.name} ${o.desc}`)).toEqual(["id true"]);
    expect([sub.limit, sub.offset]).toEqual([5, 10]);
  });

  test("refusals: unknown relation, scalar, bad shapes, paging a single record", async () => {
    await expect(plan({ nested: { bogus: ["x"] } })).rejects.toMatchObject({ field: "bogus" });
    await expect(plan({ nested: { name: ["x"] } })).rejects.toThrow(/"name" on chats is not a relation/);
    await expect(plan({ nested: { creator_id: ["nmae"] } })).rejects.toThrow(/unknown field "nmae" on users/);
    await expect(plan({ nested: { creator_id: { fields: ["name"], limt: 1 } } })).rejects.toThrow(
      /unknown option "limt"/,
    );
    await expect(plan({ nested: { creator_id: [42] } })).rejects.toThrow(/field names and nested maps only/);
    await expect(plan({ nested: { creator_id: "name" } })).rejects.toThrow(/list of fields or an options object/);
    await expect(plan({ nested: { creator_id: { limit: 1 } } })).rejects.toThrow(
      /single record; limit, offset and order/,
    );
    await expect(plan({ nested: [] as unknown as Record<string, unknown> })).rejects.toThrow(
      /nested must be an object/,
    );
  });
});

describe("filter, limit, offset", () => {
  test("the filter is parsed into the where clause", async () => {
    expect(show((await plan({ filter: [["name", "=", "x"]] })).where)).toBe('chats.name = "x"');
    expect((await plan({})).where).toBeUndefined();
  });

  test("limit and offset are non-negative safe integers", async () => {
    const select = await plan({ limit: 20, offset: 0 });
    expect([select.limit, select.offset]).toEqual([20, 0]);
    for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, "10", NaN]) {
      await expect(plan({ limit: bad as number })).rejects.toThrow(/limit must be a non-negative integer/);
      await expect(plan({ offset: bad as number })).rejects.toThrow(/offset must be a non-negative integer/);
    }
  });
});

describe("order", () => {
  test("defaults to id, in the direction of sort", () => {
    expect(order(chat)).toEqual(["id asc"]);
    expect(order(chat, undefined, "desc")).toEqual(["id desc"]);
    expect(order(chat, "", "DESC")).toEqual(["id desc"]);
  });

  test("terms with and without directions; sort applies to terms without one", () => {
    expect(order(chat, "name")).toEqual(["name asc"]);
    expect(order(chat, "name desc, id")).toEqual(["name desc", "id asc"]);
    expect(order(chat, "name, id ASC", "desc")).toEqual(["name desc", "id asc"]);
    expect(order(chat, "  creator_id   desc ")).toEqual(["creator_id desc"]);
  });

  test("only stored fields by plain name; anything else is a QueryError, never SQL", () => {
    for (const bad of [
      "nmae",
      "messages",
      "name; drop table chats",
      "name desc desc",
      "lower(name)",
      "name,",
      '"name"',
      "creator_id.name",
    ]) {
      expect(() => planOrder(chat, bad)).toThrow(QueryError);
    }
    expect(() => planOrder(thing, "shout")).toThrow(/unknown or unstored field "shout"/);
    expect(() => planOrder(message, "id", "up")).toThrow(/sort must be "asc" or "desc"/);
  });
});
