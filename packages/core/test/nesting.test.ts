import { describe, expect, test } from "vitest";
import { noJoins } from "../src/hydrate/hydrate.js";
import { planRead, type ReadRequest } from "../src/query/plan-read.js";
import { JsonAggregate } from "../src/sql/nesting/json-aggregate.js";
import { UnionRows } from "../src/sql/nesting/union-rows.js";
import { SqlCompiler } from "../src/sql/sql-compiler.js";
import { chat } from "./fixtures.js";

// Each strategy renders a nested read and reads its own rows back: the layout is the strategy's, never guessed from the rows.
const plain = (records: object[]) => JSON.parse(JSON.stringify(records)) as unknown;
const joined = new SqlCompiler((host) => new JsonAggregate(host, { joins: true }));
const json = new SqlCompiler();
const union = new SqlCompiler((host) => new UnionRows(host, { joins: true }));
const withCreator: ReadRequest = { fields: ["name"], nested: { creator_id: ["name"] } };
const withMessages: ReadRequest = {
  fields: ["name"],
  nested: { creator_id: ["name"], messages: { fields: ["body"] } },
};

describe("json-aggregate", () => {
  test("a joined many2one is read from its columns, a missing one as null", async () => {
    const select = planRead(chat, withCreator);
    expect(joined.nesting.name).toBe("json-aggregate");
    expect(joined.compile(select).sql).toContain('t1."name" AS "creator_id.name" FROM "chats" t0 LEFT JOIN "users" t1');
    const rows = [
      { id: 1, name: "a", "creator_id.id": 7, "creator_id.name": "bob" },
      { id: 2, name: "b", "creator_id.id": null, "creator_id.name": null },
    ];
    expect(plain(joined.read(select, rows))).toEqual([
      { id: 1, name: "a", creator_id: { id: 7, name: "bob" } },
      { id: 2, name: "b", creator_id: null },
    ]);
  });

  test("without joins the many2one is its JSON column, whatever other keys the row has", async () => {
    const select = planRead(chat, withCreator);
    expect(json.compile(select).sql).toContain(
      `(SELECT json_build_object('id', t1."id", 'name', t1."name") FROM "users" t1`,
    );
    const rows = [{ id: 1, name: "a", creator_id: '{"id":7,"name":"bob"}', "creator_id.id": 99 }];
    expect(plain(json.read(select, rows))).toEqual([{ id: 1, name: "a", creator_id: { id: 7, name: "bob" } }]);
  });
});

describe("union-rows", () => {
  test("one2many as tagged rows of one UNION ALL, put back together under their parents", async () => {
    const select = planRead(chat, withMessages);
    expect(union.nesting.name).toBe("union-rows");
    const sql = union.compile(select).sql;
    expect(sql).toContain(' UNION ALL (SELECT 1, t2."chat_id", NULL, ');
    expect(sql).toContain('t1."name" AS "creator_id.name"');
    const root = {
      "#b": 0,
      "#p": null,
      "#n": null,
      id: 1,
      name: "a",
      "creator_id.id": 7,
      "creator_id.name": "bob",
      "1#id": null,
      "1#body": null,
    };
    const child = (id: number, body: string) => ({
      "#b": 1,
      "#p": 1,
      "#n": null,
      id: null,
      name: null,
      "creator_id.id": null,
      "creator_id.name": null,
      "1#id": id,
      "1#body": body,
    });
    // children first: rows are grouped by branch, whatever order the database returns them in
    expect(plain(union.read(select, [child(10, "hi"), root, child(11, "yo")]))).toEqual([
      {
        id: 1,
        name: "a",
        creator_id: { id: 7, name: "bob" },
        messages: [
          { id: 10, body: "hi" },
          { id: 11, body: "yo" },
        ],
      },
    ]);
    expect(noJoins.size).toBe(0);
  });

  test("a many2one joined in a child branch only", async () => {
    const select = planRead(chat, {
      fields: ["name"],
      nested: { messages: { fields: ["body"], nested: { author_user_id: ["name"] } } },
    });
    expect(union.compile(select).sql).toContain('AS "1#author_user_id.name"');
    const root = {
      "#b": 0,
      "#p": null,
      "#n": null,
      id: 1,
      name: "a",
      "1#id": null,
      "1#body": null,
      "1#author_user_id.id": null,
      "1#author_user_id.name": null,
    };
    const child = {
      "#b": 1,
      "#p": 1,
      "#n": null,
      id: null,
      name: null,
      "1#id": 10,
      "1#body": "hi",
      "1#author_user_id.id": 7,
      "1#author_user_id.name": "bob",
    };
    expect(plain(union.read(select, [root, child]))).toEqual([
      { id: 1, name: "a", messages: [{ id: 10, body: "hi", author_user_id: { id: 7, name: "bob" } }] },
    ]);
    // the shared empty layout stays empty
    expect(noJoins.size).toBe(0);
  });

  test("a streamed read keeps whole records per row: JSON arrays, read back as such", async () => {
    const select = planRead(chat, withMessages);
    const sql = union.compile(select, { streaming: true }).sql;
    expect(sql).not.toContain("UNION ALL");
    const row = { id: 1, name: "a", "creator_id.id": 7, "creator_id.name": "bob", messages: '[{"id":10,"body":"hi"}]' };
    expect(plain(union.read(select, [row], undefined, { streaming: true }))).toEqual([
      { id: 1, name: "a", creator_id: { id: 7, name: "bob" }, messages: [{ id: 10, body: "hi" }] },
    ]);
  });
});
