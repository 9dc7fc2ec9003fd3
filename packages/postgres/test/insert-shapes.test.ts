import { type FieldMeta, type InsertNode, InsertShapes, f, model } from "@dotorm/core";
import { describe, expect, test } from "vitest";
import { PostgresCompiler } from "../src/index.js";

const Author = model("shape_authors", { name: f.char({ maxLength: 50 }) });
const Note = model("shape_notes", {
  title: f.char({ maxLength: 50 }),
  body: f.text(),
  rank: f.integer(),
  author_id: f.many2one(() => Author),
  at: f.datetime(),
});
/** The same column names as `Note`, other types: only the array types tell the two apart. */
const Other = model("shape_notes_other", { title: f.integer(), body: f.boolean() });
/** A column named like an array type. */
const Named = model("shape_notes_named", { title: f.char({ maxLength: 50 }), text: f.char({ maxLength: 50 }) });

const field = (m: { meta: { fields: ReadonlyMap<string, FieldMeta> } }, name: string) =>
  m.meta.fields.get(name) as FieldMeta;

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

const [title, body, rank, author, at] = ["title", "body", "rank", "author_id", "at"].map((n) => field(Note, n)) as [
  FieldMeta,
  FieldMeta,
  FieldMeta,
  FieldMeta,
  FieldMeta,
];
const when = new Date("2026-12-01T10:00:00.000Z");
const one = insert("shape_notes", [title, body, rank], [["a", "b", 1]]);
const three = insert(
  "shape_notes",
  [title, author, at],
  [
    ["a", 1, when],
    ["b", null, when],
    ['c "q"', 2, null],
  ],
);

/**
 * Pairs of INSERTs that differ in one part of the statement's shape each. Compiled one after the
 * other on one compiler, the second must get its own SQL (as a fresh compiler renders it): a key
 * that left that part out would hand it the first one's text.
 */
const differing: [string, InsertNode, InsertNode][] = [
  ["the table", one, { ...one, table: "shape_notes_copy" }],
  [
    "a column's name",
    one,
    insert("shape_notes", [title, body, rank], [["a", "b", 1]], true, ["title", "body", "rank2"]),
  ],
  ["the columns' order", one, insert("shape_notes", [body, title, rank], [["b", "a", 1]])],
  ["one column less", one, insert("shape_notes", [title, body], [["a", "b"]])],
  ["returning the ids or not", one, { ...one, returningId: false }],
  [
    "one row or several",
    one,
    insert(
      "shape_notes",
      [title, body, rank],
      [
        ["a", "b", 1],
        ["c", "d", 2],
      ],
    ),
  ],
  [
    "a column's array type (same names, other field types)",
    insert(
      "shape_notes",
      [title, body],
      [
        ["a", "b"],
        ["c", "d"],
      ],
    ),
    insert(
      "shape_notes",
      [field(Other, "title"), field(Other, "body")],
      [
        [1, true],
        [2, false],
      ],
    ),
  ],
  ["returning with several rows", three, { ...three, returningId: false }],
  [
    "one row of a column named like a type, or several rows",
    insert("shape_notes", [field(Named, "title")], [["a"], ["b"]]),
    insert("shape_notes", [field(Named, "title"), field(Named, "text")], [["a", "b"]]),
  ],
];

describe("compiled INSERT text per shape", () => {
  test.each(differing)("%s makes another shape", (_part, first, second) => {
    const compiler = new PostgresCompiler();
    const before = compiler.compile(first);
    expect(compiler.compile(first)).toEqual(before);
    expect(compiler.compile(second)).toEqual(new PostgresCompiler().compile(second));
    expect(compiler.compile(second).sql).not.toBe(before.sql);
  });

  test("a shape compiled again binds this call's values, as a fresh compile does, with the same SQL string", () => {
    const compiler = new PostgresCompiler();
    const first = compiler.compile(one);
    const again = compiler.compile(insert("shape_notes", [title, body, rank], [['x "y"', null, 7]]));
    expect(again).toEqual(
      new PostgresCompiler().compile(insert("shape_notes", [title, body, rank], [['x "y"', null, 7]])),
    );
    expect(again.sql).toBe(first.sql);
    expect(again.params).toEqual(['x "y"', null, 7]);
    compiler.compile(three);
    const other = insert(
      "shape_notes",
      [title, author, at],
      [
        ["z", 3, when],
        ["w", 4, when],
      ],
    );
    expect(compiler.compile(other)).toEqual(new PostgresCompiler().compile(other));
    expect(compiler.compile(other).params).toEqual([
      '{"z","w"}',
      "{3,4}",
      `{"${when.toISOString()}","${when.toISOString()}"}`,
    ]);
    expect(compiler.compile(other).generatedIds).toBe(2);
  });

  test("upserts and ignored conflicts are not taken from the shapes", () => {
    const compiler = new PostgresCompiler();
    compiler.compile(one);
    const ignoring = { ...one, ignoreConflicts: true };
    expect(compiler.compile(ignoring).sql).toMatch(/ON CONFLICT DO NOTHING/);
    const upsert: InsertNode = { ...one, onConflict: { columns: [title], update: [body] } };
    expect(compiler.compile(upsert).sql).toMatch(/ON CONFLICT \("title"\) DO UPDATE SET "body" = EXCLUDED\."body"/);
    expect(compiler.insertShapes.size).toBe(1);
  });

  test("the shapes held are bounded: past the limit they are dropped and compiled again", () => {
    const shapes = new InsertShapes(3);
    const cols = [{ name: "a" }];
    for (const t of ["t1", "t2", "t3"]) shapes.set(`sql ${t}`, t, true, cols);
    expect(shapes.size).toBe(3);
    shapes.set("sql t4", "t4", true, cols);
    expect(shapes.size).toBe(1);
    expect(shapes.get("t1", true, cols)).toBeUndefined();
    expect(shapes.get("t4", true, cols)).toBe("sql t4");
    const compiler = new PostgresCompiler();
    for (let i = 0; i < compiler.insertShapes.max + 20; i++) {
      compiler.compile({ ...one, table: `t${i}` });
      expect(compiler.insertShapes.size).toBeLessThanOrEqual(compiler.insertShapes.max);
    }
    expect(compiler.compile({ ...one, table: "t0" }).sql).toContain('"t0"');
  });
});
