import { type FieldMeta, type InsertNode, connect, f, model } from "@dotorm/core";
import { describe, expect, test } from "vitest";
import { MysqlCompiler, mysql } from "../src/index.js";
import { freshDatabase, urlFor } from "./targets.js";

const Author = model("shape_authors", { name: f.char({ maxLength: 50 }) });
const Note = model("shape_notes", {
  title: f.char({ maxLength: 50 }),
  body: f.text(),
  rank: f.integer(),
  author_id: f.many2one(() => Author),
  at: f.datetime(),
  data: f.json(),
});

const field = (name: string) => Note.meta.fields.get(name) as FieldMeta;
const [title, body, rank, author, at, data] = ["title", "body", "rank", "author_id", "at", "data"].map(field) as [
  FieldMeta,
  FieldMeta,
  FieldMeta,
  FieldMeta,
  FieldMeta,
  FieldMeta,
];

function insert(
  table: string,
  fields: FieldMeta[],
  rows: unknown[][],
  returningId = true,
  names = fields.map((x) => x.column),
): InsertNode {
  return {
    kind: "insert",
    table,
    columns: fields.map((x, i) => ({ name: names[i] as string, field: x })),
    rows,
    returningId,
  };
}

const when = new Date("2026-12-01T10:00:00.000Z");
const one = insert("shape_notes", [title, body, rank], [["a", "b", 1]]);
const two = insert(
  "shape_notes",
  [title, body, rank],
  [
    ["a", "b", 1],
    ["c", null, 2],
  ],
);

/**
 * Pairs of INSERTs that differ in one part of the statement's shape each. Compiled one after the
 * other on one compiler, the second must get its own SQL (as a fresh compiler renders it): a key
 * that left that part out would hand it the first one's text.
 */
const differing: [string, InsertNode, InsertNode][] = [
  ["the table", one, { ...one, table: "shape_notes_copy" }],
  ["a column's name", one, insert("shape_notes", [title, body, rank], [["a", "b", 1]], true, ["title", "body", "r2"])],
  ["the columns' order", one, insert("shape_notes", [body, title, rank], [["b", "a", 1]])],
  ["one column less", one, insert("shape_notes", [title, body], [["a", "b"]])],
  ["the row count", one, two],
  ["two rows or three", two, { ...two, rows: [...two.rows, ["e", "f", 3]] }],
];

describe("compiled INSERT text per shape (MySQL)", () => {
  for (const returning of [false, true])
    test.each(differing)(`%s makes another shape (returning ${returning})`, (_part, first, second) => {
      const compiler = new MysqlCompiler({ returning });
      const before = compiler.compile(first);
      expect(compiler.compile(first)).toEqual(before);
      expect(compiler.compile(second)).toEqual(new MysqlCompiler({ returning }).compile(second));
      expect(compiler.compile(second).sql).not.toBe(before.sql);
    });

  test("a shape compiled again binds this call's values (encoded), as a fresh compile does, with the same SQL string", () => {
    const compiler = new MysqlCompiler();
    const node = (t: string, d: unknown) => insert("shape_notes", [title, author, at, data], [[t, 3, when, d]]);
    const first = compiler.compile(node("x", { a: 1 }));
    const again = compiler.compile(node("y 'q'", [1, "two"]));
    expect(again).toEqual(new MysqlCompiler().compile(node("y 'q'", [1, "two"])));
    expect(again.sql).toBe(first.sql);
    expect(again.params).toHaveLength(4);
    expect(again.params).not.toEqual(first.params);
    expect(again.generatedIds).toBe(1);
    expect(compiler.compile({ ...node("z", null), returningId: false }).generatedIds).toBeUndefined();
  });

  test("returning the ids or not is part of the shape, and so is the moment the insert id becomes exact", () => {
    let exact = false;
    const compiler = new MysqlCompiler({ returning: true }, () => exact);
    const returning = compiler.compile(two);
    expect(returning.sql).toMatch(/RETURNING/);
    expect(compiler.compile({ ...two, returningId: false }).sql).not.toMatch(/RETURNING/);
    exact = true;
    const after = compiler.compile(two);
    expect(after).toEqual(new MysqlCompiler({ returning: true }, () => true).compile(two));
    expect(after.sql).not.toMatch(/RETURNING/);
    exact = false;
    expect(compiler.compile(two).sql).toBe(returning.sql);
  });

  test("upserts, ignored conflicts and column-less inserts are not taken from the shapes", () => {
    const compiler = new MysqlCompiler();
    compiler.compile(one);
    expect(compiler.compile({ ...one, ignoreConflicts: true }).sql).toMatch(/ON DUPLICATE KEY UPDATE/);
    const upsert: InsertNode = { ...one, onConflict: { columns: [title], update: [body] } };
    expect(compiler.compile(upsert).sql).toMatch(/ON DUPLICATE KEY UPDATE .*`body` = VALUES\(`body`\)/);
    expect(compiler.compile(insert("shape_notes", [], [[], []])).sql).toMatch(/\(\) VALUES \(\), \(\)/);
    expect(compiler.insertShapes.size).toBe(1);
  });

  test("the text held is bounded: a text past a quarter of maxChars is not held, and past the budget all is dropped", () => {
    const compiler = new MysqlCompiler();
    const big = (n: number) =>
      insert(
        "shape_notes",
        [title, rank],
        Array.from({ length: n }, (_, i) => [`t${i}`, i]),
      );
    compiler.compile(one);
    // 300,000 rows of "(?, ?), " is over a million characters: compiled each time, never held
    const huge = big(300_000);
    expect(compiler.compile(huge).sql).toBe(new MysqlCompiler().compile(huge).sql);
    expect(compiler.insertShapes.size).toBe(1);
    for (let n = 2; n < 600; n++) compiler.compile(big(n));
    expect(compiler.insertShapes.size).toBeLessThanOrEqual(compiler.insertShapes.max);
    expect(compiler.compile(big(599))).toEqual(new MysqlCompiler().compile(big(599)));
  });

  test("on MariaDB, creates of every row count read back what they wrote, with the right ids", async () => {
    const db = await connect(mysql({ url: urlFor(await freshDatabase("my_insert_shapes")) }), {
      models: [Author, Note],
    });
    try {
      await db.sync();
      const made: number[] = [];
      for (const n of [1, 3, 1, 3, 2, 3]) {
        const ids = await Note.createMany(
          Array.from({ length: n }, (_, i) => ({ title: `n${n}-${i}`, rank: i, at: when, data: { n, i } })),
        );
        expect(ids).toHaveLength(n);
        made.push(...ids);
      }
      const read = await Note.search({
        filter: [["id", "in", made]],
        fields: ["title", "rank", "at", "data"],
        order: "id",
      });
      expect(read.map((r) => r.id)).toEqual(made);
      expect(read.map((r) => r.title)).toEqual(
        [1, 3, 1, 3, 2, 3].flatMap((n) => Array.from({ length: n }, (_, i) => `n${n}-${i}`)),
      );
      expect(read.every((r) => (r.at as Date).getTime() === when.getTime())).toBe(true);
      expect(read.map((r) => (r.data as { i: number }).i)).toEqual(
        [1, 3, 1, 3, 2, 3].flatMap((n) => Array.from({ length: n }, (_, i) => i)),
      );
      const compiler = db.adapter.compiler as MysqlCompiler;
      expect(compiler.insertShapes.size).toBeGreaterThanOrEqual(3);
    } finally {
      await db.close();
    }
  });
});
