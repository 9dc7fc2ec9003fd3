import { afterEach, describe, expect, test, vi } from "vitest";
import { ast, type CondNode, isSealed, type QueryNode } from "../src/query/ast.js";
import { parseFilter } from "../src/query/parse-filter.js";
import { planRead, type ReadRequest } from "../src/query/plan-read.js";
import { prepareCreate } from "../src/query/prepare-write.js";
import { SqlCompiler } from "../src/sql/sql-compiler.js";
import { chat, field, thing, user } from "./fixtures.js";

// The base renderer adapters start from: ANSI quoting, `?` placeholders, portable ILIKE, IN lists,
// JSON subqueries for every nested relation (no joined many2one here). Nodes come from the real planners.
const compiler = new SqlCompiler();
// the SQL and params only: the statement kind and ids are checked in statement.test.ts
const text = ({ sql, params }: { sql: string; params: unknown }) => ({ sql, params });
const read = async (req: ReadRequest, model = chat) => text(compiler.compile(await planRead(model, req)));
const compile = (node: QueryNode) => text(compiler.compile(node));

afterEach(() => vi.useRealTimers());

describe("SELECT", () => {
  test("filters, portable ilike, IN list, NOT that treats NULL as false, limit/offset bound", async () => {
    expect(
      await read({
        fields: ["name"],
        filter: [["name", "ilike", "a_b"], "or", ["not", ["id", "in", [1, 2]]]],
        limit: 10,
        offset: 5,
      }),
    ).toEqual({
      sql:
        'SELECT t0."id", t0."name" FROM "chats" t0 WHERE (LOWER(t0."name") LIKE LOWER(?) OR NOT COALESCE(t0."id" IN (?, ?), FALSE)) ' +
        'ORDER BY t0."id" ASC NULLS LAST LIMIT ? OFFSET ?',
      params: ["%a\\_b%", 1, 2, 10, 5],
    });
  });

  test("offset 0 is left out; a column with its own name is aliased back to the field key", async () => {
    expect(await read({ fields: ["code", "price"], limit: 5, offset: 0 }, thing)).toEqual({
      sql: 'SELECT t0."id", t0."thing_code" AS "code", t0."price" FROM "things" t0 ORDER BY t0."id" ASC NULLS LAST LIMIT ?',
      params: [5],
    });
  });

  test("nested many2one as a correlated JSON object, one2many with a limit numbered by row_number", async () => {
    expect(
      await read({ fields: ["name"], nested: { creator_id: ["name"], messages: { fields: ["body"], limit: 2 } } }),
    ).toEqual({
      sql:
        `SELECT t0."id", t0."name", (SELECT json_build_object('id', t1."id", 'name', t1."name") FROM "users" t1 WHERE t1."id" = t0."creator_id") AS "creator_id", ` +
        `(SELECT COALESCE(json_agg(t3.j ORDER BY t3.n), '[]') FROM (SELECT json_build_object('id', t2."id", 'body', t2."body") AS j, ` +
        'row_number() OVER (ORDER BY t2."id" ASC NULLS LAST) AS n FROM "chat_messages" t2 WHERE t2."chat_id" = t0."id" ' +
        'ORDER BY t2."id" ASC NULLS LAST LIMIT ?) t3) AS "messages" FROM "chats" t0 ORDER BY t0."id" ASC NULLS LAST',
      params: [2],
    });
  });

  test("nested many2many through the link table", async () => {
    expect(await read({ fields: [], nested: { role_ids: ["code"] } }, user)).toEqual({
      sql:
        `SELECT t0."id", (SELECT COALESCE(json_agg(json_build_object('id', t1."id", 'code', t1."code") ORDER BY t1."id" ASC NULLS LAST), '[]') ` +
        'FROM "roles" t1 JOIN "user_roles" t1l ON t1l."role_id" = t1."id" WHERE t1l."user_id" = t0."id") AS "role_ids" ' +
        'FROM "users" t0 ORDER BY t0."id" ASC NULLS LAST',
      params: [],
    });
  });

  test("count with a dotted path; exists stops at one row", () => {
    expect(
      compile({ kind: "count", model: chat, where: parseFilter(chat, [["creator_id.name", "=", "Ann"]]) }),
    ).toEqual({
      sql: 'SELECT COUNT(*) AS "n" FROM "chats" t0 WHERE EXISTS (SELECT 1 FROM "users" t1 WHERE t1."id" = t0."creator_id" AND t1."name" = ?)',
      params: ["Ann"],
    });
    expect(compile({ kind: "count", model: chat, exists: true })).toEqual({
      sql: 'SELECT 1 AS "x" FROM "chats" t0 LIMIT 1',
      params: [],
    });
  });
});

describe("writes", () => {
  test("multi-row INSERT ... VALUES with RETURNING; json sent as text", () => {
    vi.useFakeTimers({ now: new Date("2024-05-06T07:08:09Z") });
    const prepared = prepareCreate(thing, [{ data: { a: 1 }, code: "x" }, { data: null }]);
    const node: QueryNode = {
      kind: "insert",
      table: thing.table,
      columns: prepared.columns.map((f) => ({ name: f.column, field: f })),
      rows: prepared.rows,
      returningId: true,
    };
    expect(compile(node)).toEqual({
      sql: 'INSERT INTO "things" ("count", "data", "thing_code", "stamp", "token") VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?) RETURNING "id"',
      params: [0, '{"a":1}', "x", "2024-05-06", "generated", 0, null, null, "2024-05-06", "generated"],
    });
  });

  test("link rows ignore duplicates; an insert with no column uses DEFAULT VALUES", () => {
    expect(
      compile({
        kind: "insert",
        table: "user_roles",
        columns: [{ name: "user_id" }, { name: "role_id" }],
        rows: [[1, 2]],
        returningId: false,
        ignoreConflicts: true,
      }),
    ).toEqual({
      sql: 'INSERT INTO "user_roles" ("user_id", "role_id") VALUES (?, ?) ON CONFLICT DO NOTHING',
      params: [1, 2],
    });
    expect(compile({ kind: "insert", table: "things", columns: [], rows: [[]], returningId: true })).toEqual({
      sql: 'INSERT INTO "things" DEFAULT VALUES RETURNING "id"',
      params: [],
    });
  });

  test("UPDATE sets columns by their column name; DELETE with a null-aware negation; unlink", () => {
    expect(
      compile({
        kind: "update",
        model: thing,
        set: [
          [field(thing, "data"), { a: 1 }],
          [field(thing, "code"), "y"],
        ],
        where: parseFilter(thing, [["id", "=", 3]]),
      }),
    ).toEqual({
      sql: 'UPDATE "things" AS t0 SET "data" = ?, "thing_code" = ? WHERE t0."id" = ?',
      params: ['{"a":1}', "y", 3],
    });
    expect(compile({ kind: "delete", model: chat, where: parseFilter(chat, [["description", "!=", "x"]]) })).toEqual({
      sql: 'DELETE FROM "chats" AS t0 WHERE (t0."description" <> ? OR t0."description" IS NULL)',
      params: ["x"],
    });
    expect(
      compile({
        kind: "unlink",
        table: "user_roles",
        ownerColumn: "user_id",
        targetColumn: "role_id",
        owners: [1, 2],
        targets: [3],
      }),
    ).toEqual({
      sql: 'DELETE FROM "user_roles" WHERE "user_id" IN (?, ?) AND "role_id" IN (?)',
      params: [1, 2, 3],
    });
  });

  test("identifiers are quoted with embedded quotes doubled", () => {
    expect(compiler.quote('we"ird')).toBe('"we""ird"');
  });
});

describe("conditions come from core only", () => {
  test("a condition core did not build, or an operator outside the fixed table, is refused, never rendered", () => {
    const forged = { kind: "cmp", field: chat.id, op: "IS NULL) OR (1=1) OR (t0.id =", value: 0 };
    const node = (where: unknown) => ({ kind: "count", model: chat, where }) as QueryNode;
    expect(() => compile(node(forged))).toThrow(/filter list/);
    expect(() => compile(node({ kind: "const", value: true }))).toThrow(/filter list/);
    const real = parseFilter(chat, [["id", "=", 1]]);
    expect(compile(node(real)).sql).toBe('SELECT COUNT(*) AS "n" FROM "chats" t0 WHERE t0."id" = ?');
    // a real node cannot be altered into an injection: it is frozen
    expect(() => Object.assign(real as object, { op: "IS NULL) OR (1=1" })).toThrow(TypeError);
  });

  test("a copy of a sealed condition is not sealed; a node frozen before core sealed it is", () => {
    const real = parseFilter(chat, [["id", "=", 1]]) as object;
    const node = (where: unknown) => ({ kind: "count", model: chat, where }) as QueryNode;
    for (const copy of [{ ...real }, Object.assign({}, real), Object.create(real)])
      expect(() => compile(node(copy))).toThrow(/filter list/);
    const frozen = ast.seal(Object.freeze({ kind: "cmp", field: chat.id, op: "=", value: 2 }) as CondNode);
    expect(compile(node(frozen)).sql).toBe('SELECT COUNT(*) AS "n" FROM "chats" t0 WHERE t0."id" = ?');
    expect(isSealed(ast.and([frozen, real as CondNode]))).toBe(true);
  });
});
