import { describe, expectTypeOf, test } from "vitest";
import type { UpdateValues } from "../src/model/types.js";
import { Chat, ChatMessage, Comment, type Data, Post, User } from "./types/models.js";

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

  test("searchAndCount: { data: what search returns, total: number }, with the same option checks", async () => {
    const options = { fields: ["name"], nested: { creator_id: ["name"] }, limit: 10, offset: 20 } as const;
    const page = await Chat.searchAndCount(options);
    const rows = await Chat.search(options);
    expectTypeOf(page).toEqualTypeOf<{ data: typeof rows; total: number }>();
    expectTypeOf<Data<(typeof page.data)[number]>>().toEqualTypeOf<Data<(typeof rows)[number]>>();
    const qs = await Chat.query().filter({ is_archived: false }).limit(5).searchAndCount();
    const all = await Chat.query().filter({ is_archived: false }).limit(5);
    expectTypeOf(qs).toEqualTypeOf<{ data: typeof all; total: number }>();
    // @ts-expect-error "fileds" is not a read option
    void Chat.searchAndCount({ fields: ["name"], fileds: ["x"] });
    // @ts-expect-error "nmae" is not a field of chats
    void Chat.searchAndCount({ fields: ["nmae"] });
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
