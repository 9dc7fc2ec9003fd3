import { describe, expectTypeOf, test } from "vitest";
import { f } from "../src/model/f.js";
import { model } from "../src/define/model.js";
import type { QuerySet } from "../src/query/query-set.js";
import type { Database } from "../src/run/database.js";

const User = model("users", {
  name: f.char({ maxLength: 255, required: true }),
  login: f.char({ maxLength: 100 }),
});

const Post = model("posts", {
  title: f.char({ maxLength: 100, required: true }),
  views: f.integer({ default: 0 }),
  author_id: f.many2one(() => User, { required: true }),
  comments: f.one2many(() => Comment, "post_id"),
});

const Comment = model("comments", {
  post_id: f.many2one(() => User, { required: true }),
  author_id: f.many2one(() => User),
  body: f.text(),
});

class Note extends model("notes", { body: f.char({ maxLength: 40, required: true }) }) {
  shout(): string {
    return this.body.toUpperCase();
  }
}

declare const db: Database;

describe("save and refresh", () => {
  test("records have save() and refresh(), both resolving to void", async () => {
    const post = await Post.get(1);
    expectTypeOf(post.save).toEqualTypeOf<() => Promise<void>>();
    expectTypeOf(post.refresh).toEqualTypeOf<() => Promise<void>>();
    const fresh = new Post({ title: "x", author_id: 1 });
    expectTypeOf(fresh.save()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(fresh.id).toEqualTypeOf<number>();
    // a narrowed read keeps its methods
    const slim = await Post.get(1, { fields: ["title"] });
    expectTypeOf(slim.save).toEqualTypeOf<() => Promise<void>>();
    // @ts-expect-error a field that is not on the model
    post.nope = 1;
  });
});

describe("db.model", () => {
  test("returns the same class type: statics, records and subclass methods", async () => {
    const OnB = db.model(Post);
    expectTypeOf(OnB).toEqualTypeOf<typeof Post>();
    const post = await OnB.get(1, { fields: ["title"], nested: { author_id: ["name"] } });
    expectTypeOf(post.title).toEqualTypeOf<string>();
    expectTypeOf(post.author_id.name).toEqualTypeOf<string>();
    const notes = await db.model(Note).search({});
    expectTypeOf(notes[0]!.shout()).toEqualTypeOf<string>();
    // @ts-expect-error db.model takes a model class
    db.model({});
  });
});

describe("shortcuts and getOrCreate", () => {
  test("all, filter and exclude are query sets of the model; getOrCreate gives [record, created]", async () => {
    expectTypeOf(Post.all()).toEqualTypeOf<QuerySet<typeof Post>>();
    expectTypeOf(Post.filter({ title__icontains: "a" })).toEqualTypeOf<QuerySet<typeof Post>>();
    expectTypeOf(Post.exclude({ views__gt: 3 })).toEqualTypeOf<QuerySet<typeof Post>>();
    // @ts-expect-error an unknown lookup
    Post.filter({ nope: 1 });
    const [post, created] = await Post.getOrCreate({ title: "a" }, { author_id: 1 });
    expectTypeOf(created).toEqualTypeOf<boolean>();
    expectTypeOf(post.views).toEqualTypeOf<number | null>();
    expectTypeOf(post.title).toEqualTypeOf<string>();
    const [again] = await db.model(Note).updateOrCreate({ body: "x" });
    expectTypeOf(again.shout()).toEqualTypeOf<string>();
    // @ts-expect-error a value of the wrong type
    await Post.getOrCreate({ title: 5 });
  });
});

describe("prefetch and inline nested maps", () => {
  test("prefetch narrows like nested with default fields; unknown relations do not compile", async () => {
    const [post] = await Post.query().prefetch("author_id", "comments");
    expectTypeOf(post!.author_id.name).toEqualTypeOf<string>();
    expectTypeOf(post!.comments[0]!.body).toEqualTypeOf<string | null>();
    // @ts-expect-error not a relation
    Post.query().prefetch("title");
  });

  test("the object form's fields take inline nested maps, typed as the list form", async () => {
    const post = await Post.get(1, { nested: { comments: { fields: ["body", { author_id: ["name"] }], limit: 5 } } });
    expectTypeOf(post.comments[0]!.body).toEqualTypeOf<string | null>();
    expectTypeOf(post.comments[0]!.author_id!.name).toEqualTypeOf<string>();
  });
});
