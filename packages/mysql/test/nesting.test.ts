import { type AnyModel, type Database, connect, f, model } from "@dotorm/core";
import { scalarFields } from "@dotorm/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mysql } from "../src/index.js";
import { dropDatabase, freshDatabase, requireMysql, urlFor } from "./targets.js";

/**
 * The two ways MariaDB reads nested one2many / many2many, tagged rows of one UNION ALL (the
 * default) and JSON_ARRAYAGG per parent row, must give the same records for any read: every field
 * type, per-parent order / limit / offset, filters, depth 2, a many2many target under several parents.
 */

/** Fresh model classes (one set per connection) over the same tables. */
function makeModels() {
  const Tag = model("nt_tags", { code: f.char({ maxLength: 20, required: true }), note: f.text() });
  const Owner = model("nt_owners", {
    name: f.char({ maxLength: 50, required: true }),
    rank: f.integer(),
    items: f.one2many((): AnyModel => Item, "owner_id"),
    tag_ids: f.many2many(() => Tag, { table: "nt_owner_tags" }),
  });
  const Item = model("nt_items", {
    owner_id: f.many2one(() => Owner, { required: true, onDelete: "cascade" }),
    label: f.char({ maxLength: 20 }),
    ...scalarFields(),
    tag_ids: f.many2many(() => Tag, { table: "nt_item_tags" }),
    shout: f.char({
      store: false,
      compute: (r: Record<string, unknown>) => String(r.label ?? "").toUpperCase(),
      depends: ["label"],
    }),
  });
  return { Tag, Owner, Item, models: [Tag, Owner, Item] as const };
}

const itemOrderFields = [
  "id",
  "label",
  "small",
  "big",
  "ratio",
  "price",
  "flag",
  "at",
  "day",
  "clock",
  "kind",
] as const;

const up = await requireMysql("the union/JSON nesting property");

describe.runIf(up)("MariaDB nesting: UNION ALL rows and JSON arrays read the same records", () => {
  // unique per run: two runs against one server must not share (and drop) each other's database
  const name = `dotorm_nesting_${process.pid}_${Date.now().toString(36)}`;
  const union = makeModels();
  const json = makeModels();
  let dbs: Database[] = [];

  beforeAll(async () => {
    await freshDatabase(name);
    const a = await connect(mysql({ url: urlFor(name), max: 2, nesting: "union" }), { models: union.models });
    await a.sync();
    const b = await connect(mysql({ url: urlFor(name), max: 2, nesting: "json" }), { models: json.models });
    dbs = [a, b];
    const { Tag, Owner, Item } = union;
    const tags = await Tag.createMany(
      ["t3", "t1", "t2", "t1b"].map((code, i) => ({ code, note: i % 2 ? "x".repeat(700) : null })),
    );
    const owners = await Owner.createMany(
      Array.from({ length: 6 }, (_, i) => ({
        name: `owner ${i % 4}`,
        rank: i % 3 === 0 ? null : i % 4,
        tag_ids: tags.filter((_, t) => (i + t) % 2 === 0),
      })),
    );
    const pick = <T>(list: readonly T[], i: number) => list[i % list.length] as T;
    await Item.createMany(
      Array.from({ length: 40 }, (_, i) => ({
        owner_id: pick(owners, i * 7 + (i % 3)),
        label: pick(["b", "a", null, "c", "a"], i),
        small: pick([3, -1, null, 3, 0], i),
        big: pick([2 ** 40, -5, null, 7], i),
        ratio: pick([0.5, -1.25, null, 3.75], i),
        price: pick(["12.50", "-3.00", null, "0.99"], i),
        flag: pick([true, false, null], i),
        at: pick([new Date("2024-03-01T10:00:00.123Z"), null, new Date("1999-12-31T23:59:59Z")], i),
        day: pick(["2024-02-29", null, "2001-01-01"], i),
        clock: pick(["10:30:00", null, "23:59:59.5"], i),
        data: pick([{ a: [1, "x"] }, null, [1, 2], "text", 4.5], i),
        kind: pick(["a", "b", null], i),
        blob: pick([new Uint8Array([0, 255, 10]), null], i),
        notes: pick(["é ✓ 😀".repeat(200), null, "short"], i),
        tag_ids: tags.filter((_, t) => (i + t) % 3 === 0),
      })),
    );
  });

  afterAll(async () => {
    for (const db of dbs) await db.close();
    await dropDatabase(name);
  });

  const dir = fc.constantFrom("", " asc", " desc");
  const page = fc.record({
    limit: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    offset: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  });
  const tagsSpec = fc
    .tuple(fc.constantFrom("code", "note", "id"), dir, page)
    .map(([field, d, p]) => ({ fields: ["code", "note"], order: `${field}${d}`, ...p }));
  const itemsSpec = fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom(...itemOrderFields), dir), { minLength: 1, maxLength: 2 }),
      page,
      fc.constantFrom(undefined, [["flag", "=", true]], [["kind", "!=", "a"]], [["tag_ids.code", "like", "t1"]]),
      fc.option(tagsSpec, { nil: undefined }),
      fc.boolean(),
    )
    .map(([order, p, filter, tags, withOwner]) => ({
      order: order.map(([field, d]) => `${field}${d}`).join(", "),
      ...p,
      ...(filter ? { filter } : {}),
      nested: { ...(tags ? { tag_ids: tags } : {}), ...(withOwner ? { owner_id: ["name"] } : {}) },
    }));
  const read = fc.record({
    order: fc.constantFrom("id", "name desc", "rank", "rank desc, name"),
    page,
    items: fc.option(itemsSpec, { nil: undefined }),
    tags: fc.option(tagsSpec, { nil: undefined }),
    filter: fc.constantFrom(undefined, [["rank", "!=", 2]], [["items.flag", "=", true]]),
  });

  test("random nested reads of every field type agree, in one statement each", async () => {
    const statements: string[] = [];
    for (const db of dbs) db.on("query", (e) => statements.push(e.sql));
    await fc.assert(
      fc.asyncProperty(read, async (r) => {
        const nested = { ...(r.items ? { items: r.items } : {}), ...(r.tags ? { tag_ids: r.tags } : {}) };
        if (Object.keys(nested).length === 0) return;
        const options = { order: r.order, ...r.page, ...(r.filter ? { filter: r.filter } : {}), nested } as Parameters<
          typeof union.Owner.search
        >[0];
        statements.length = 0;
        const viaUnion = await union.Owner.search(options);
        const viaJson = await json.Owner.search(options);
        expect(statements).toHaveLength(2);
        expect(statements[0]).toContain("UNION ALL");
        expect(statements[1]).toContain("JSON_ARRAYAGG");
        expect(viaUnion).toEqual(viaJson);
        for (const owner of viaUnion as { id: number }[]) {
          const one = await union.Owner.get(owner.id, { nested } as Parameters<typeof union.Owner.get>[1]);
          const oneJson = await json.Owner.get(owner.id, { nested } as Parameters<typeof union.Owner.get>[1]);
          expect(one).toEqual(oneJson);
        }
      }),
      { numRuns: 60 },
    );
  });

  test("a nested item keeps its class and computed field; a many2many target under several parents is a record in each", async () => {
    const owners = await union.Owner.search({
      order: "id",
      nested: { tag_ids: ["code"], items: { fields: ["label", "shout"], nested: { tag_ids: ["code"] } } },
    });
    const items = owners.flatMap((o) => o.items);
    expect(items.length).toBe(40);
    expect(items[0]).toBeInstanceOf(union.Item);
    for (const item of items) expect(item.shout).toBe(String(item.label ?? "").toUpperCase());
    const sharedTag = owners.flatMap((o) => o.tag_ids).filter((t) => t.code === "t3");
    expect(sharedTag.length).toBeGreaterThan(1);
    expect(new Set(sharedTag).size).toBe(sharedTag.length);
  });
});
