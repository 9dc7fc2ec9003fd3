import { describe, expectTypeOf, test } from "vitest";
import type { CreateValues, UpdateValues, X2manyCommands } from "../src/model/types.js";
import type { Filter } from "../src/query/filter-types.js";
import { Chat, ChatMessage, Thing } from "./types/models.js";

describe("filters", () => {
  test("conditions, and/or, groups and not are accepted", () => {
    const filter: Filter<typeof Chat.fields> = [
      ["is_archived", "=", false],
      "or",
      ["creator_id.name", "ilike", "ann"],
      [["name", "in", ["a", "b"]], "or", ["not", ["description", "is null"]]],
      ["id", "between", [1, 10]],
      ["messages.body", "like", "x"],
    ];
    expectTypeOf(filter).toMatchTypeOf<Filter<typeof Chat.fields>>();
    void Chat.search({
      filter: [["name", "=", "General"]],
      order: "name desc, id",
      sort: "desc",
      limit: 20,
      offset: 0,
    });
    void Chat.count({ filter: [["chat_type", "!=", "direct"]] });
    void Chat.updateMany([["is_archived", "=", true]], { is_archived: false });
  });

  test("dotted paths are checked through typed relations", () => {
    void ChatMessage.search({ filter: [["chat_id.creator_id.role_ids.code", "=", "admin"]] });
    // @ts-expect-error "nmae" is not a field of users
    void Chat.search({ filter: [["creator_id.nmae", "=", "Ann"]] });
    // @ts-expect-error "name" is a scalar: it has no fields to follow
    void Chat.search({ filter: [["name.length", "=", 1]] });
  });

  test("unknown fields and operators are compile errors", () => {
    // @ts-expect-error "nmae" is not a field of chats
    void Chat.search({ filter: [["nmae", "=", "x"]] });
    // @ts-expect-error "==" is not an operator
    void Chat.search({ filter: [["name", "==", "x"]] });
    // @ts-expect-error count checks its filter too
    void Chat.count({ filter: [["nmae", "=", "x"]] });
    // @ts-expect-error deleteMany checks its filter too
    void Chat.deleteMany([["nmae", "=", "x"]]);
  });

  test("Filter<any> (model not known, e.g. access rules with templates) checks the operator only", () => {
    const rule: Filter<any> = [
      ["team_id", "in", "{{team_ids}}"],
      ["user_id", "=", "{{user_id}}"],
    ];
    expectTypeOf(rule).toMatchTypeOf<Filter<any>>();
    // @ts-expect-error the operator is still checked
    const bad: Filter<any> = [["team_id", "within", [1]]];
    void bad;
  });

  test("the value is shaped by the operator", () => {
    // @ts-expect-error "in" takes a list
    void Chat.search({ filter: [["id", "in", 3]] });
    // @ts-expect-error "between" takes [low, high]
    void Chat.search({ filter: [["id", "between", [1, 2, 3]]] });
    // @ts-expect-error "ilike" takes a string
    void Chat.search({ filter: [["name", "ilike", 3]] });
    // @ts-expect-error "=" needs a value
    void Chat.search({ filter: [["name", "="]] });
    void Chat.search({ filter: [["description", "is null"]] });
  });

  test("the value is checked against the field's type", () => {
    // @ts-expect-error is_archived is a boolean
    void Chat.search({ filter: [["is_archived", "=", "yes"]] });
    // @ts-expect-error "private" is not one of chat_type's options
    void Chat.search({ filter: [["chat_type", "=", "private"]] });
    // @ts-expect-error name is text
    void Chat.search({ filter: [["name", "in", ["a", 2]]] });
    // @ts-expect-error ids are numbers
    void Chat.search({ filter: [["id", ">", "3"]] });
    // @ts-expect-error ">" needs a value, not null
    void Thing.search({ filter: [["count", ">", null]] });
    // @ts-expect-error a many2one compares with an id
    void Chat.search({ filter: [["creator_id", "=", "ann"]] });
    // what writes accept, filters accept: a decimal as a number, an instant as text, a record for a many2one
    void Thing.search({
      filter: [
        ["price", ">", 10],
        ["at", ">=", "2026-01-01T00:00:00Z"],
        ["day", "<", new Date()],
        ["kind", "in", ["a", null]],
      ],
    });
    void Chat.search({
      filter: [
        ["creator_id", "=", { id: 1 }],
        ["description", "!=", null],
        ["messages", "in", [1, 2]],
      ],
    });
    // a dotted path's value is checked when the query runs
    void Chat.search({ filter: [["creator_id.is_active", "=", true]] });
  });
});

describe("writes", () => {
  test("create requires required fields without a default and refuses unknown keys", () => {
    expectTypeOf<CreateValues<typeof Chat.fields>>().toEqualTypeOf<{
      name: string;
      creator_id: number | { id: number };
      description?: string | null;
      is_archived?: boolean | null;
      chat_type?: "direct" | "group" | "channel";
      messages?: readonly number[] | X2manyCommands;
    }>();
    void Chat.create({ name: "General", creator_id: 1 });
    void Chat.create({ name: "General", creator_id: { id: 1 }, chat_type: "channel" });
    // @ts-expect-error creator_id is required and has no default
    void Chat.create({ name: "General" });
    // @ts-expect-error "nmae" is not a field
    void Chat.create({ name: "General", creator_id: 1, nmae: "x" });
    // @ts-expect-error "id" is generated by the database
    void Chat.create({ id: 5, name: "General", creator_id: 1 });
    // @ts-expect-error a required field cannot be null
    void Chat.create({ name: null, creator_id: 1 });
    // @ts-expect-error "public" is not one of the selection's options
    void Chat.create({ name: "General", creator_id: 1, chat_type: "public" });
    // @ts-expect-error createMany checks every record
    void Chat.createMany([{ name: "a", creator_id: 1 }, { name: "b" }]);
  });

  test("readonly fields are written on create only; computed ones never", () => {
    void ChatMessage.create({ chat_id: 1, created_at: new Date() });
    expectTypeOf<keyof UpdateValues<typeof ChatMessage.fields>>().toEqualTypeOf<
      "chat_id" | "author_user_id" | "body"
    >();
    expectTypeOf<"shout" extends keyof CreateValues<typeof Thing.fields> ? true : false>().toEqualTypeOf<false>();
    expectTypeOf<"secret" extends keyof CreateValues<typeof Thing.fields> ? true : false>().toEqualTypeOf<true>();
    // @ts-expect-error shout is computed (store: false)
    void Thing.create({ big: 1, shout: "X" });
    // @ts-expect-error secret is readonly
    void Thing.updateMany([1], { secret: "x" });
  });

  test("update values: all optional, typed per kind, required ones never null", () => {
    void Chat.updateMany([1, 2], {
      name: "x",
      description: null,
      creator_id: { id: 2 },
      messages: { link: [1], unlink: [2] },
    });
    void Thing.updateMany([1], {
      price: "12.50",
      at: "2024-01-01T00:00:00Z",
      data: { tags: ["a"] },
      day: "2024-01-01",
    });
    // @ts-expect-error a typed json field takes its own shape
    void Thing.updateMany([1], { data: { tags: [1] } });
    void Thing.updateMany([1], { day: new Date(), anything: [1, "a", { b: null }] });
    // @ts-expect-error name is required: null would be refused
    void Chat.updateMany([1], { name: null });
    // @ts-expect-error is_archived is a boolean
    void Chat.updateMany([1], { is_archived: "yes" });
    // @ts-expect-error "nmae" is not a field
    void Chat.updateMany([1], { nmae: "x" });
  });
});
