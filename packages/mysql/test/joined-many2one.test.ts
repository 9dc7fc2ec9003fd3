import { type AccessChecker, type AnyModel, type Database, connect, f, model } from "@dotorm/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mysql } from "../src/index.js";
import { dropDatabase, freshDatabase, requireMysql, urlFor } from "./targets.js";

/**
 * Nested many2ones read through LEFT JOINs into the row (the default) and through correlated JSON
 * subqueries (`joins: false`, the former form) must give the same records on MariaDB: null links,
 * the target's read rule (bound `?` values in the ON clause, before and after other values), a
 * many2one under a many2one, order by a field of the relation, and under a nested one2many (tagged rows).
 */

/** Fresh model classes (one set per connection) over the same tables. */
function makeModels() {
  const Company = model("jm_companies", { name: f.char({ maxLength: 50, required: true }) });
  const Person = model("jm_people", {
    name: f.char({ maxLength: 50, required: true }),
    is_active: f.boolean({ default: true }),
    company_id: f.many2one(() => Company),
  });
  const Thread = model("jm_threads", {
    title: f.char({ maxLength: 50, required: true }),
    author_id: f.many2one(() => Person),
    posts: f.one2many((): AnyModel => Post, "thread_id"),
  });
  const Post = model("jm_posts", {
    thread_id: f.many2one(() => Thread, { required: true, onDelete: "cascade" }),
    body: f.char({ maxLength: 50 }),
    author_id: f.many2one(() => Person),
  });
  return { Company, Person, Thread, Post, models: [Company, Person, Thread, Post] as const };
}

/** Rules on the nested targets: active people only, companies not named "hidden". */
const checker: AccessChecker = {
  check({ model, operation }) {
    if (operation !== "read") return true;
    if (model === "jm_people") return [["is_active", "=", true]];
    if (model === "jm_companies") return [["name", "!=", "hidden"]];
    return true;
  },
};

const up = await requireMysql("joined many2ones");

describe.runIf(up)("MariaDB nested many2ones: LEFT JOINed columns read what JSON subqueries read", () => {
  const name = `dotorm_joined_${process.pid}_${Date.now().toString(36)}`;
  const joined = makeModels();
  const json = makeModels();
  let dbs: Database[] = [];
  /** The statements of the last `both` (ruled: joined, then JSON). */
  const sent: string[] = [];

  beforeAll(async () => {
    await freshDatabase(name);
    const a = await connect(mysql({ url: urlFor(name), max: 2 }), { models: joined.models, access: checker });
    await a.sync();
    const b = await connect(mysql({ url: urlFor(name), max: 2, joins: false }), {
      models: json.models,
      access: checker,
    });
    dbs = [a, b];
    for (const db of dbs) db.on("query", (e) => sent.push(e.sql));
    await a.sudo(async () => {
      const { Company, Person, Thread, Post } = joined;
      const [acme, hidden] = await Company.createMany([{ name: "acme" }, { name: "hidden" }]);
      const people = await Person.createMany([
        { name: "ann", company_id: acme },
        { name: "bob", company_id: hidden },
        { name: "cy", is_active: false, company_id: acme },
        { name: "dee" },
      ]);
      const threads = await Thread.createMany(
        Array.from({ length: 9 }, (_, i) => ({ title: `t${i}`, author_id: i % 5 === 4 ? null : people[i % 4] })),
      );
      await Post.createMany(
        Array.from({ length: 30 }, (_, i) => ({
          thread_id: threads[i % 9] as (typeof threads)[number],
          body: `p${i}`,
          author_id: i % 6 === 5 ? null : people[(i * 3) % 4],
        })),
      );
    });
  });
  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.close()));
    if (up) await dropDatabase(name);
  });

  /** The same read through both connections, under a session (rules on) and under sudo. */
  async function both(read: (m: ReturnType<typeof makeModels>) => Promise<unknown[]>) {
    const plain = (rows: unknown[]) => JSON.parse(JSON.stringify(rows));
    const [a, b] = dbs as [Database, Database];
    sent.length = 0;
    const ruled = await a.withSession({ user: 1 }, () => read(joined));
    expect(plain(ruled)).toEqual(plain(await b.withSession({ user: 1 }, () => read(json))));
    const all = await a.sudo(() => read(joined));
    expect(plain(all)).toEqual(plain(await b.sudo(() => read(json))));
    return { ruled: plain(ruled) as Record<string, unknown>[], all: plain(all) as Record<string, unknown>[] };
  }

  test("a page with the author's name: null links and rule-hidden authors both read as null", async () => {
    const { ruled, all } = await both((m) =>
      m.Thread.search({
        fields: ["title"],
        nested: { author_id: ["name"] },
        filter: [["title", "!=", "t0"]],
        limit: 7,
      }),
    );
    expect(all.filter((t) => t.author_id === null).map((t) => t.title)).toEqual(["t4"]);
    // cy is inactive: under the rule her threads show no author
    expect(ruled.filter((t) => t.author_id === null).map((t) => t.title)).toEqual(["t2", "t4", "t6"]);
    expect(all.find((t) => t.title === "t2")?.author_id).toMatchObject({ name: "cy" });
    expect(sent[0]).toMatch(/ LEFT JOIN `jm_people` t1 ON t1.`id` = t0.`author_id` AND t1.`is_active` = \? WHERE /);
    expect(sent[1]).toContain("(SELECT JSON_OBJECT(");
    expect(sent[1]).not.toContain("LEFT JOIN");
  });

  test("a many2one under a many2one, each under its own rule", async () => {
    const { ruled } = await both((m) =>
      m.Thread.search({
        fields: ["title"],
        nested: { author_id: { fields: ["name"], nested: { company_id: ["name"] } } },
      }),
    );
    const byTitle = new Map(ruled.map((t) => [t.title, t.author_id as Record<string, unknown> | null]));
    expect(byTitle.get("t0")).toMatchObject({ name: "ann", company_id: { name: "acme" } });
    expect(byTitle.get("t1")).toMatchObject({ name: "bob", company_id: null });
    expect(byTitle.get("t3")).toMatchObject({ name: "dee", company_id: null });
  });

  test("ordered by a field of the relation, filtered through it", async () => {
    await both((m) =>
      m.Thread.search({
        fields: ["title"],
        nested: { author_id: ["name"] },
        filter: [["author_id.name", "!=", "zed"]],
        order: "author_id.name desc, id",
      }),
    );
  });

  test("under a nested one2many (tagged union rows), the posts' authors joined per branch", async () => {
    const { ruled } = await both((m) =>
      m.Thread.search({
        fields: ["title"],
        nested: { author_id: ["name"], posts: { fields: ["body"], nested: { author_id: ["name"] }, limit: 2 } },
        limit: 5,
      }),
    );
    expect(ruled).toHaveLength(5);
    expect(ruled.some((t) => (t.posts as { author_id: unknown }[]).some((p) => p.author_id === null))).toBe(true);
  });
});
