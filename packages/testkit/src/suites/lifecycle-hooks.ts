import { type AnyModel, ConfigurationError, QueryError, UnsupportedError, f, model } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import { ownModels } from "../own-models.js";
import type { ConformanceTarget } from "../target.js";

/** Options outside the compile-time types, as callers without types send them. */
const untyped = (value: unknown) => value as never;

/**
 * Lifecycle hooks: per record, in order, inside the write's transaction (a throw leaves nothing
 * written); bulk calls run them unless `{ hooks: false }`; relation commands run their model's.
 * Without transactions (ClickHouse) a `before` hook that throws still writes nothing, and an
 * `after` hook that throws leaves the write done.
 */
export function lifecycleHooks(target: ConformanceTarget) {
  return suite("lifecycle hooks", target, (ctx) => {
    const log: string[] = [];
    /** Hook names that throw while set, e.g. "afterCreate". */
    const failing = new Set<string>();
    const fail = (name: string, what: string) => {
      if (failing.has(name)) throw new Error(`${name} refused ${what}`);
    };
    const own = ownModels(ctx, (p) => {
      const Audit = model(`${p}_hk_audits`, { note: f.char({ maxLength: 60 }) });
      const Post = model(
        `${p}_hk_posts`,
        {
          title: f.char({ maxLength: 40, required: true }),
          slug: f.char({ maxLength: 40, unique: true }),
          comments: f.one2many((): AnyModel => Comment, "post_id"),
        },
        {
          hooks: {
            async beforeCreate({ values }) {
              log.push(`beforeCreate:${values.title}`);
              values.slug ??= values.title.toLowerCase().replace(/\W+/g, "-");
              // a write of another model inside the same transaction
              await Audit.create({ note: `created ${values.title}` });
              fail("beforeCreate", values.title);
            },
            afterCreate({ id, values }) {
              log.push(`afterCreate:${id}:${values.slug}`);
              fail("afterCreate", values.title);
            },
            beforeUpdate({ id, values }) {
              log.push(`beforeUpdate:${id}:${Object.keys(values).join("+")}`);
              fail("beforeUpdate", String(id));
            },
            afterUpdate({ id }) {
              log.push(`afterUpdate:${id}`);
              fail("afterUpdate", String(id));
            },
            beforeDelete({ id }) {
              log.push(`beforeDelete:${id}`);
              fail("beforeDelete", String(id));
            },
            afterDelete({ id }) {
              log.push(`afterDelete:${id}`);
              fail("afterDelete", String(id));
            },
          },
        },
      );
      const Comment = model(
        `${p}_hk_comments`,
        { post_id: f.many2one(() => Post, { onDelete: "cascade" }), body: f.text() },
        {
          hooks: {
            afterCreate: ({ values }) => void log.push(`comment:${values.body}`),
            beforeDelete: ({ id }) => void log.push(`comment-delete:${id}`),
          },
        },
      );
      return { Audit, Post, Comment };
    });
    const take = () => log.splice(0, log.length);
    const transactional = () => ctx().db.adapter.capabilities.transactions !== false;

    test("create and createMany run beforeCreate (which may change the values) and afterCreate per record, in order", async () => {
      const { Post } = await own();
      take();
      const given = { title: "Hello World" };
      const id = await Post.create(given);
      expect(take()).toEqual(["beforeCreate:Hello World", `afterCreate:${id}:hello-world`]);
      expect((await Post.get(id)).slug).toBe("hello-world");
      expect(given).toEqual({ title: "Hello World" });
      const [a, b] = await Post.createMany([{ title: "A a" }, { title: "B b", slug: "own" }]);
      expect(take()).toEqual(["beforeCreate:A a", "beforeCreate:B b", `afterCreate:${a}:a-a`, `afterCreate:${b}:own`]);
      await Post.createMany([{ title: "quiet", slug: "quiet" }], { hooks: false });
      expect(take()).toEqual([]);
    });

    test("updates and deletes run the hooks once per record they reach, ids, filters, records and query sets alike; { hooks: false } skips them", async () => {
      const { Post } = await own();
      const [x, y, z] = (await Post.createMany([{ title: "ux" }, { title: "uy" }, { title: "uz" }], {
        hooks: false,
      })) as [number, number, number];
      take();
      expect(await Post.updateMany([x, y], { title: "u2" })).toBe(2);
      expect(take()).toEqual([
        `beforeUpdate:${x}:title`,
        `beforeUpdate:${y}:title`,
        `afterUpdate:${x}`,
        `afterUpdate:${y}`,
      ]);
      await Post.updateMany([["title", "=", "uz"]], { title: "u3" });
      expect(take()).toEqual([`beforeUpdate:${z}:title`, `afterUpdate:${z}`]);
      await (await Post.get(z)).update({ title: "u4" });
      await Post.query().filter({ id: z }).update({ title: "u5" });
      expect(take()).toEqual([
        `beforeUpdate:${z}:title`,
        `afterUpdate:${z}`,
        `beforeUpdate:${z}:title`,
        `afterUpdate:${z}`,
      ]);
      // a filter matching nothing calls no hook
      await Post.updateMany([["title", "=", "nobody"]], { title: "u6" });
      await Post.updateMany([x], { title: "u7" }, { hooks: false });
      await Post.query().filter({ id: x }).update({ title: "u8" }, { hooks: false });
      expect(take()).toEqual([]);
      await Post.deleteMany([["id", "in", [x, y]]]);
      expect(take().sort()).toEqual([`afterDelete:${x}`, `afterDelete:${y}`, `beforeDelete:${x}`, `beforeDelete:${y}`]);
      await (await Post.get(z)).delete();
      expect(take()).toEqual([`beforeDelete:${z}`, `afterDelete:${z}`]);
      const w = await Post.create({ title: "uw" });
      take();
      await Post.query().filter({ id: w }).delete({ hooks: false });
      expect(take()).toEqual([]);
      expect(await Post.count({ filter: [["id", "in", [x, y, z, w]]] })).toBe(0);
    });

    test("a before hook that throws aborts the call and nothing of it is written, on every database", async () => {
      const { Post, Audit } = await own();
      const audits = await Audit.count();
      failing.add("beforeCreate");
      try {
        await expect(Post.createMany([{ title: "b1" }, { title: "b2" }])).rejects.toThrow("beforeCreate refused b1");
      } finally {
        failing.clear();
      }
      expect(await Post.count({ filter: [["title", "in", ["b1", "b2"]]] })).toBe(0);
      // the hook's own write of another model rolls back with the call (where there are transactions)
      expect(await Audit.count()).toBe(transactional() ? audits : audits + 1);
      const id = await Post.create({ title: "b3" });
      failing.add("beforeUpdate");
      failing.add("beforeDelete");
      try {
        await expect(Post.updateMany([id], { title: "b4" })).rejects.toThrow("beforeUpdate refused");
        await expect(Post.deleteMany([id])).rejects.toThrow("beforeDelete refused");
      } finally {
        failing.clear();
      }
      expect((await Post.get(id)).title).toBe("b3");
    });

    test("an after hook that throws rolls the write back where there are transactions; without (ClickHouse) the write stays done", async () => {
      const { Post } = await own();
      failing.add("afterCreate");
      try {
        await expect(Post.create({ title: "a1" })).rejects.toThrow("afterCreate refused a1");
      } finally {
        failing.clear();
      }
      expect(await Post.count({ filter: [["title", "=", "a1"]] })).toBe(transactional() ? 0 : 1);
      const id = await Post.create({ title: "a2" });
      failing.add("afterUpdate");
      failing.add("afterDelete");
      try {
        await expect(Post.updateMany([id], { title: "a3" })).rejects.toThrow("afterUpdate refused");
        expect((await Post.get(id)).title).toBe(transactional() ? "a2" : "a3");
        await expect(Post.deleteMany([id])).rejects.toThrow("afterDelete refused");
      } finally {
        failing.clear();
      }
      expect(await Post.exists({ filter: [["id", "=", id]] })).toBe(transactional());
    });

    test("relation commands run the related model's hooks", async () => {
      const { Post, Comment } = await own();
      take();
      const id = await Post.create({ title: "r1", comments: { create: [{ body: "c1" }, { body: "c2" }] } });
      expect(take()).toEqual(["beforeCreate:r1", "comment:c1", "comment:c2", `afterCreate:${id}:r1`]);
      const [c1] = await Comment.search({ filter: [["post_id", "=", id]], order: "id" });
      await Post.updateMany([id], { comments: { delete: [c1?.id as number] } });
      expect(take()).toEqual([`beforeUpdate:${id}:comments`, `comment-delete:${c1?.id}`, `afterUpdate:${id}`]);
    });

    test("an upsert on a model with hooks needs { hooks: false }; bad hooks are refused at definition, a bad option at the call", async () => {
      const { Post } = await own();
      await expect(
        Post.createMany([{ title: "p1", slug: "p1" }], { onConflict: ["slug"], update: ["title"] }),
      ).rejects.toThrow(/hooks: false/);
      const upsert = Post.createMany([{ title: "p1", slug: "p1" }], {
        onConflict: ["slug"],
        update: ["title"],
        hooks: false,
      });
      if (ctx().db.adapter.capabilities.uniqueConstraints === false)
        await expect(upsert).rejects.toBeInstanceOf(UnsupportedError);
      else expect(await upsert).toHaveLength(1);
      await expect(Post.updateMany([1], { title: "x" }, untyped({ hooks: "no" }))).rejects.toBeInstanceOf(QueryError);
      expect(() => model("hk_bad", { n: f.integer() }, untyped({ hooks: { beforeSave() {} } }))).toThrow(
        /unknown hook "beforeSave"/,
      );
      expect(() => model("hk_bad", { n: f.integer() }, untyped({ hooks: { afterCreate: "log" } }))).toThrow(
        ConfigurationError,
      );
    });
  });
}
