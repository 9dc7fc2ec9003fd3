import { describe, expectTypeOf, test } from "vitest";
import { f } from "../src/model/f.js";
import { model } from "../src/define/model.js";
import type { JsonValue } from "../src/model/field.js";
import type { AnyModel } from "../src/model/model-meta.js";
import type { CreateValues, Infer, UpdateValues, X2manyCommands } from "../src/model/types.js";
import type { Filter } from "../src/query/filter-types.js";

// The contract's models. Chat -> ChatMessage -> Chat is a cycle TypeScript cannot infer, so one
// thunk is annotated (README, "Models that reference each other"); everything else is fully typed.
const Role = model("roles", {
  code: f.char({ maxLength: 50, required: true, unique: true }),
  name: f.char(),
});

const User = model("users", {
  name: f.char({ maxLength: 255, required: true }),
  login: f.char({ maxLength: 100, unique: true }),
  bio: f.text(),
  is_active: f.boolean({ default: true }),
  role_ids: f.many2many(() => Role, { table: "user_roles", column1: "user_id", column2: "role_id" }),
});

const Chat = model("chats", {
  name: f.char({ maxLength: 255, required: true }),
  description: f.text(),
  is_archived: f.boolean({ default: false }),
  chat_type: f.selection({
    options: [
      ["direct", "Direct"],
      ["group", "Group"],
      ["channel", "Channel"],
    ],
    default: "group",
    required: true,
  }),
  creator_id: f.many2one(() => User, { required: true }),
  messages: f.one2many((): AnyModel => ChatMessage, "chat_id"),
});

class ChatMessage extends model("chat_messages", {
  chat_id: f.many2one(() => Chat, { required: true, onDelete: "cascade" }),
  author_user_id: f.many2one(() => User),
  body: f.text(),
  created_at: f.datetime({ default: "now", readonly: true }),
}) {
  preview(): string {
    return (this.body ?? "").slice(0, 80);
  }
}

// A one2many whose target is fully typed: the annotated thunk sits on the many2one side instead.
const Post = model("posts", {
  title: f.char({ required: true }),
  comments: f.one2many(() => Comment, "post_id"),
});
const Comment = model("comments", {
  post_id: f.many2one((): AnyModel => Post, { required: true }),
  author_id: f.many2one(() => User),
  text: f.text({ required: true }),
});

// Every scalar kind, plus a computed field and a readonly one.
const Thing = model("things", {
  small: f.smallInteger(),
  count: f.integer({ default: 0 }),
  big: f.bigInteger({ required: true }),
  ratio: f.float(),
  price: f.decimal({ precision: 10, scale: 2 }),
  flag: f.boolean(),
  at: f.datetime(),
  day: f.date(),
  clock: f.time(),
  data: f.json<{ tags: string[] }>(),
  anything: f.json(),
  kind: f.selection({
    options: [
      ["a", "A"],
      ["b", "B"],
    ],
  }),
  blob: f.binary(),
  secret: f.char({ readonly: true }),
  shout: f.char({ store: false, compute: (r) => String(r.secret ?? "").toUpperCase() }),
});

/** A record's data, without the methods every record carries (they are checked separately). */
type Data<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] };

describe("Infer", () => {
  test("is the full record: required fields non-null, optional ones nullable, x2many as id lists", () => {
    expectTypeOf<Infer<typeof Chat>>().toEqualTypeOf<{
      id: number;
      name: string;
      description: string | null;
      is_archived: boolean | null;
      chat_type: "direct" | "group" | "channel";
      creator_id: number;
      messages: number[];
    }>();
    expectTypeOf<Infer<typeof User>>().toEqualTypeOf<{
      id: number;
      name: string;
      login: string | null;
      bio: string | null;
      is_active: boolean | null;
      role_ids: number[];
    }>();
  });

  test("maps every field kind to its JavaScript type", () => {
    // JsonValue is recursive, which expectTypeOf's deep comparison cannot walk: checked both ways instead.
    expectTypeOf<Infer<typeof Thing>["anything"]>().toMatchTypeOf<JsonValue>();
    expectTypeOf<JsonValue>().toMatchTypeOf<Infer<typeof Thing>["anything"]>();
    expectTypeOf<Omit<Infer<typeof Thing>, "anything">>().toEqualTypeOf<{
      id: number;
      small: number | null;
      count: number | null;
      big: number;
      ratio: number | null;
      price: string | null;
      flag: boolean | null;
      at: Date | null;
      day: string | null;
      clock: string | null;
      data: { tags: string[] } | null;
      kind: "a" | "b" | null;
      blob: Uint8Array | null;
      secret: string | null;
      shout: string | null;
    }>();
  });

  test("works on a class extending a model", () => {
    expectTypeOf<Infer<typeof ChatMessage>>().toEqualTypeOf<{
      id: number;
      chat_id: number;
      author_user_id: number | null;
      body: string | null;
      created_at: Date | null;
    }>();
  });
});

describe("field builders", () => {
  test("capture required, default and the selection's values", () => {
    expectTypeOf(f.char({ required: true })).toEqualTypeOf<
      import("../src/model/field.js").Field<string, "char", true, false, "always">
    >();
    expectTypeOf(
      f.selection({
        options: [
          ["a", "A"],
          ["b", "B"],
        ],
        default: "a",
      }),
    ).toEqualTypeOf<import("../src/model/field.js").Field<"a" | "b", "selection", false, true, "always">>();
    // compute receives the record, typed, without an annotation
    f.char({ store: false, compute: (r) => expectTypeOf(r).toEqualTypeOf<Record<string, unknown>>() && "" });
  });

  test("misspelt options and impossible defaults are compile errors", () => {
    // @ts-expect-error "requried" is not an option: it would silently leave the field nullable
    f.char({ maxLength: 10, requried: true });
    // @ts-expect-error "ondelete" is spelt onDelete
    f.many2one(() => User, { required: true, ondelete: "cascade" });
    // @ts-expect-error a selection's default must be one of its options
    f.selection({ options: [["a", "A"]], default: "zz" });
    // @ts-expect-error an integer default must be a number
    f.integer({ default: "1" });
  });
});

describe("get and search results", () => {
  test("without fields: every stored field, x2many left out, id always there", async () => {
    const chat = await Chat.get(1);
    expectTypeOf<Data<typeof chat>>().toEqualTypeOf<{
      id: number;
      name: string;
      description: string | null;
      is_archived: boolean | null;
      chat_type: "direct" | "group" | "channel";
      creator_id: number;
    }>();
  });

  test("fields narrow the record to those names plus id", async () => {
    const slim = await Chat.get(1, { fields: ["name", "is_archived"] });
    expectTypeOf<Data<typeof slim>>().toEqualTypeOf<{ id: number; name: string; is_archived: boolean | null }>();
    const rows = await Chat.search({ fields: ["id", "name"] });
    expectTypeOf<Data<(typeof rows)[number]>>().toEqualTypeOf<{ id: number; name: string }>();
  });

  test("fields: [] reads the id only", async () => {
    const bare = await Chat.get(1, { fields: [] });
    expectTypeOf<Data<typeof bare>>().toEqualTypeOf<{ id: number }>();
  });

  test("x2many listed in fields come back as id arrays", async () => {
    const user = await User.get(1, { fields: ["role_ids"] });
    expectTypeOf(user.role_ids).toEqualTypeOf<number[]>();
    const chat = await Chat.get(1, { fields: ["messages"] });
    expectTypeOf(chat.messages).toEqualTypeOf<number[]>();
  });

  test("getOrNull adds null", async () => {
    const maybe = await Chat.getOrNull(1, { fields: ["name"] });
    expectTypeOf(maybe).toBeNullable();
    expectTypeOf<Data<NonNullable<typeof maybe>>>().toEqualTypeOf<{ id: number; name: string }>();
  });

  test("a required many2one nests as an object, an optional one as object | null", async () => {
    const msg = await ChatMessage.get(1, {
      fields: ["body"],
      nested: { chat_id: ["name"], author_user_id: ["name", "login"] },
    });
    expectTypeOf<Data<typeof msg.chat_id>>().toEqualTypeOf<{ id: number; name: string }>();
    expectTypeOf(msg.author_user_id).toBeNullable();
    expectTypeOf<Data<NonNullable<typeof msg.author_user_id>>>().toEqualTypeOf<{
      id: number;
      name: string;
      login: string | null;
    }>();
    expectTypeOf(msg.body).toEqualTypeOf<string | null>();
  });

  test("the contract's example: nested many2one object replaces the id", async () => {
    const slim = await Chat.get(1, { fields: ["name", "is_archived"], nested: { creator_id: ["name", "id"] } });
    expectTypeOf(slim.creator_id.name).toEqualTypeOf<string>();
    expectTypeOf<Data<typeof slim>>().toMatchTypeOf<{ name: string; is_archived: boolean | null }>();
  });

  test("a nested relation is added to the default fields when fields are not given", async () => {
    const chat = await Chat.get(1, { nested: { creator_id: ["login"] } });
    expectTypeOf(chat.name).toEqualTypeOf<string>();
    expectTypeOf<Data<typeof chat.creator_id>>().toEqualTypeOf<{ id: number; login: string | null }>();
  });

  test("one2many nests as an array; deeper nesting and the object form are typed too", async () => {
    const post = await Post.get(1, { nested: { comments: ["text", { author_id: ["name"] }] } });
    expectTypeOf(post.comments).toBeArray();
    type C = (typeof post.comments)[number];
    expectTypeOf<Data<C>>().toMatchTypeOf<{ id: number; text: string }>();
    expectTypeOf<Data<NonNullable<C["author_id"]>>>().toEqualTypeOf<{ id: number; name: string }>();

    const paged = await Post.search({ nested: { comments: { fields: ["text"], order: "id desc", limit: 3 } } });
    expectTypeOf<Data<(typeof paged)[number]["comments"][number]>>().toEqualTypeOf<{ id: number; text: string }>();
  });

  test("a nested list without names, or the object form without fields, loads the default fields", async () => {
    // planNested reads the default field list in both cases, so the type must not narrow to { id }.
    const a = await ChatMessage.get(1, { nested: { chat_id: [] } });
    expectTypeOf(a.chat_id.name).toEqualTypeOf<string>();
    const b = await ChatMessage.get(1, { nested: { chat_id: [{ creator_id: ["name"] }] } });
    expectTypeOf(b.chat_id.chat_type).toEqualTypeOf<"direct" | "group" | "channel">();
    expectTypeOf<Data<typeof b.chat_id.creator_id>>().toEqualTypeOf<{ id: number; name: string }>();
    const c = await Post.get(1, { nested: { comments: { limit: 2 } } });
    expectTypeOf<Data<(typeof c.comments)[number]>>().toEqualTypeOf<{
      id: number;
      post_id: number;
      author_id: number | null;
      text: string;
    }>();
  });

  test("a relation whose target is only AnyModel nests loosely typed", async () => {
    const chat = await Chat.get(1, { nested: { messages: ["body"] } });
    expectTypeOf(chat.messages).toBeArray();
    expectTypeOf(chat.messages[0]!.id).toEqualTypeOf<number>();
  });

  test("subclass methods and record methods are on results, nested ones included", async () => {
    const msg = await ChatMessage.get(1, { fields: ["body"] });
    expectTypeOf(msg.preview).toEqualTypeOf<() => string>();
    expectTypeOf(msg.update).parameter(0).toEqualTypeOf<UpdateValues<typeof ChatMessage.fields>>();
    expectTypeOf(msg.delete).toEqualTypeOf<() => Promise<void>>();
    const many = await ChatMessage.search({ fields: ["body"] });
    expectTypeOf(many[0]!.preview()).toEqualTypeOf<string>();
    const chat = await Chat.get(1, { nested: { creator_id: ["name"] } });
    expectTypeOf(chat.creator_id.update).toBeFunction();
  });

  test("unknown names in fields and nested are compile errors, at any depth", () => {
    // @ts-expect-error "nmae" is not a field of chats
    void Chat.get(1, { fields: ["nmae"] });
    // @ts-expect-error "bogus" is not a relation of chat_messages
    void ChatMessage.get(1, { fields: ["body"], nested: { chat_id: ["name"], bogus: ["x"] } });
    // @ts-expect-error "body" is a scalar field: it cannot be nested
    void ChatMessage.get(1, { nested: { body: ["x"] } });
    // @ts-expect-error "nmae" is not a field of chats (the nested target)
    void ChatMessage.get(1, { nested: { chat_id: ["nmae"] } });
    // @ts-expect-error "owner_id" is not a relation of chats, two levels down
    void ChatMessage.get(1, { nested: { chat_id: ["name", { owner_id: ["name"] }] } });
    // @ts-expect-error "nmae" is not a field of users, inside a deeper map
    void ChatMessage.get(1, { nested: { chat_id: [{ creator_id: ["nmae"] }] } });
    // @ts-expect-error "limt" is not an option of the object form
    void Post.get(1, { nested: { comments: { fields: ["text"], limt: 3 } } });
    // @ts-expect-error limit makes no sense on a single record (a many2one); the runtime refuses it too
    void ChatMessage.get(1, { nested: { chat_id: { fields: ["name"], limit: 1 } } });
    // @ts-expect-error "fileds" is not a read option
    void Chat.search({ fields: ["name"], fileds: ["x"] });
    // @ts-expect-error get takes fields and nested only; filter belongs to search
    void Chat.get(1, { fields: ["name"], filter: [["name", "=", "x"]] });
    // @ts-expect-error "nmae" is not a field of roles, a target without relations of its own
    void User.get(1, { nested: { role_ids: ["nmae"] } });
    // @ts-expect-error the same through a nested many2one whose target has no relations
    void Comment.get(1, { nested: { author_id: ["login", "nmae"] } });
    void User.get(1, { nested: { role_ids: ["code", "name"] } });
  });

  test("a literal order names fields of the model, each with an optional direction", () => {
    void Chat.search({ order: "name" });
    void Chat.search({ order: "name desc, id" });
    void Chat.search({ order: "is_archived ASC,creator_id desc ,  id" });
    void Post.get(1, { nested: { comments: { fields: ["text"], order: "text desc", limit: 3 } } });
    // @ts-expect-error "nmae" is not a field of chats
    void Chat.search({ order: "nmae" });
    // @ts-expect-error the second term names no field of chats
    void Chat.search({ order: "name desc, idd" });
    // @ts-expect-error "down" is not a direction
    void Chat.search({ order: "name down" });
    // @ts-expect-error messages is a one2many: there is no column to order by
    void Chat.search({ order: "messages" });
    // @ts-expect-error inside a nested object form, against the related model
    void Post.get(1, { nested: { comments: { fields: ["text"], order: "txet" } } });
    // an order built at run time is a plain string: checked when the query runs
    const fromRequest: string = ["name", "desc"].join(" ");
    void Chat.search({ order: fromRequest });
  });
});

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
