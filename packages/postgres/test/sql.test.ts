import { type Adapter, type CompiledQuery, connect, type Database } from "@dotorm/core";
import { makeModels } from "@dotorm/testkit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PostgresCompiler, PostgresDdl, PostgresIntrospector } from "../src/index.js";

/**
 * Exact SQL and params for representative calls, built through the public API and the real
 * planning (plan -> compile), with a driver that records each statement instead of sending it.
 * To render the same calls for another dialect, swap the compiler and the expected strings.
 */
const { Chat, ChatMessage, User, models } = makeModels("app");

const sent: CompiledQuery[] = [];
const recorder: Adapter = {
  dialect: "postgres",
  capabilities: { returning: true, transactions: true, savepoints: true, transactionalDdl: true, foreignKeys: true, clientIds: false },
  compiler: new PostgresCompiler(),
  ddl: new PostgresDdl(),
  introspector: new PostgresIntrospector(),
  driver: {
    // one row that satisfies every read (get must find a record) and returns an id on insert
    execute: async (query) => {
      sent.push(query);
      return { rows: [{ id: 1, n: 1 }], affected: 1 };
    },
    mapError: (e) => e as Error,
    close: async () => {},
  },
};

let db: Database;
beforeAll(async () => {
  db = await connect(recorder, { models: [...models] });
});
afterAll(() => db.close());

/** The statements one call sends. */
async function statements(call: () => Promise<unknown>): Promise<CompiledQuery[]> {
  sent.length = 0;
  await call();
  return [...sent];
}

/** The single statement one call sends (the N+1 guarantee: reads are one statement). */
async function single(call: () => Promise<unknown>): Promise<CompiledQuery> {
  const all = await statements(call);
  expect(all).toHaveLength(1);
  return all[0] as CompiledQuery;
}

describe("reads", () => {
  test("get by id", async () => {
    expect(await single(() => Chat.get(7, { fields: ["name", "is_archived"] }))).toEqual({
      sql: 'SELECT t0."id", t0."name", t0."is_archived" FROM "app_chats" t0 WHERE t0."id" = $1 ORDER BY t0."id" ASC NULLS LAST',
      params: [7],
    });
  });

  test("a filtered page: or, ilike with the value wrapped in %, order with NULL placement, id tie-break, limit/offset bound", async () => {
    const page = () =>
      Chat.search({
        filter: [["is_archived", "=", false], "or", ["name", "ilike", "gen"]],
        fields: ["name"],
        order: "description desc",
        limit: 20,
        offset: 40,
      });
    expect(await single(page)).toEqual({
      sql:
        'SELECT t0."id", t0."name" FROM "app_chats" t0 WHERE (t0."is_archived" = $1 OR t0."name" ILIKE $2) ' +
        'ORDER BY t0."description" DESC NULLS FIRST, t0."id" ASC NULLS LAST LIMIT $3 OFFSET $4',
      params: [false, "%gen%", 20, 40],
    });
  });

  test("nested many2one (joined) + one2many with order and limit (object form) + many2one inside it: one statement", async () => {
    const read = () =>
      Chat.get(7, {
        fields: ["name"],
        nested: { creator_id: ["name"], messages: { fields: ["body"], nested: { author_user_id: ["name"] }, order: "id desc", limit: 50 } },
      });
    expect(await single(read)).toEqual({
      sql:
        'SELECT t0."id", t0."name", t1."id" AS "creator_id.id", t1."name" AS "creator_id.name", ' +
        `(SELECT COALESCE(json_agg(t4.j ORDER BY t4.n), '[]') FROM (` +
        `SELECT json_build_object('id', t2."id", 'body', t2."body", 'author_user_id', ` +
        `(SELECT json_build_object('id', t3."id", 'name', t3."name") FROM "app_users" t3 WHERE t3."id" = t2."author_user_id")) AS j, ` +
        'row_number() OVER (ORDER BY t2."id" DESC NULLS FIRST) AS n ' +
        'FROM "app_chat_messages" t2 WHERE t2."chat_id" = t0."id" ORDER BY t2."id" DESC NULLS FIRST LIMIT $1) t4) AS "messages" ' +
        'FROM "app_chats" t0 LEFT JOIN "app_users" t1 ON t1."id" = t0."creator_id" WHERE t0."id" = $2 ORDER BY t0."id" ASC NULLS LAST',
      // placeholders are numbered in text order: the nested LIMIT comes first
      params: [50, 7],
    });
  });

  test("a one2many without paging aggregates directly; many2one chains join", async () => {
    expect(await single(() => Chat.search({ fields: ["name"], nested: { messages: ["body"] } }))).toEqual({
      sql:
        `SELECT t0."id", t0."name", (SELECT COALESCE(json_agg(json_build_object('id', t1."id", 'body', t1."body") ` +
        `ORDER BY t1."id" ASC NULLS LAST), '[]') FROM "app_chat_messages" t1 WHERE t1."chat_id" = t0."id") AS "messages" ` +
        'FROM "app_chats" t0 ORDER BY t0."id" ASC NULLS LAST',
      params: [],
    });
    expect(await single(() => ChatMessage.search({ fields: ["body"], nested: { chat_id: ["name", { creator_id: ["name"] }] } }))).toEqual({
      sql:
        'SELECT t0."id", t0."body", t1."id" AS "chat_id.id", t1."name" AS "chat_id.name", ' +
        't2."id" AS "chat_id.creator_id.id", t2."name" AS "chat_id.creator_id.name" FROM "app_chat_messages" t0 ' +
        'LEFT JOIN "app_chats" t1 ON t1."id" = t0."chat_id" LEFT JOIN "app_users" t2 ON t2."id" = t1."creator_id" ' +
        'ORDER BY t0."id" ASC NULLS LAST',
      params: [],
    });
  });

  test("a many2many listed in fields is an array of ids through the link table", async () => {
    expect(await single(() => User.get(3, { fields: ["role_ids"] }))).toEqual({
      sql:
        `SELECT t0."id", (SELECT COALESCE(json_agg(t1."id" ORDER BY t1."id" ASC NULLS LAST), '[]') FROM "app_roles" t1 ` +
        'JOIN "app_user_roles" t1l ON t1l."role_id" = t1."id" WHERE t1l."user_id" = t0."id") AS "role_ids" ' +
        'FROM "app_users" t0 WHERE t0."id" = $1 ORDER BY t0."id" ASC NULLS LAST',
      params: [3],
    });
  });
});

describe("filters", () => {
  test("in as = ANY of one array parameter; not in on a nullable field keeps NULLs", async () => {
    const read = () => Chat.search({ fields: ["name"], filter: [["id", "in", [1, 2, 3]], ["description", "not in", ["a"]]] });
    expect(await single(read)).toEqual({
      sql:
        'SELECT t0."id", t0."name" FROM "app_chats" t0 WHERE (t0."id" = ANY($1::int4[]) ' +
        'AND (t0."description" <> ALL($2::text[]) OR t0."description" IS NULL)) ORDER BY t0."id" ASC NULLS LAST',
      params: [[1, 2, 3], ["a"]],
    });
  });

  test("not, between, is null and =like", async () => {
    const read = () =>
      Chat.search({
        fields: [],
        filter: [["not", ["name", "=like", "a_%"]], ["id", "between", [5, 9]], ["description", "is null"]],
      });
    expect(await single(read)).toEqual({
      sql:
        'SELECT t0."id" FROM "app_chats" t0 WHERE (NOT COALESCE(t0."name" LIKE $1, FALSE) AND t0."id" BETWEEN $2 AND $3 ' +
        'AND t0."description" IS NULL) ORDER BY t0."id" ASC NULLS LAST',
      params: ["a_%", 5, 9],
    });
  });

  test("dotted paths are EXISTS subqueries; count and exists", async () => {
    expect(await single(() => Chat.count({ filter: [["creator_id.name", "=", "Ann"]] }))).toEqual({
      sql: 'SELECT COUNT(*) AS "n" FROM "app_chats" t0 WHERE EXISTS (SELECT 1 FROM "app_users" t1 WHERE t1."id" = t0."creator_id" AND t1."name" = $1)',
      params: ["Ann"],
    });
    expect(await single(() => Chat.exists({ filter: [["messages.body", "ilike", "50%"]] }))).toEqual({
      sql:
        'SELECT 1 AS "x" FROM "app_chats" t0 WHERE EXISTS (SELECT 1 FROM "app_chat_messages" t1 ' +
        'WHERE t1."chat_id" = t0."id" AND t1."body" ILIKE $1) LIMIT 1',
      // the user's % is escaped with LIKE's default escape character, the backslash
      params: ["%50\\%%"],
    });
  });
});

describe("writes", () => {
  test("insert one row: given values, defaults and RETURNING id", async () => {
    expect(await single(() => Chat.create({ name: "General", creator_id: 1 }))).toEqual({
      sql: 'INSERT INTO "app_chats" ("name", "is_archived", "chat_type", "creator_id") VALUES ($1, $2, $3, $4) RETURNING "id"',
      params: ["General", false, "group", 1],
    });
  });

  test("insert several rows: one typed array per column through unnest", async () => {
    const bulk = () => Chat.createMany([{ name: "a", creator_id: 1 }, { name: "b", creator_id: 2, description: "x" }]);
    expect(await single(bulk)).toEqual({
      sql:
        'INSERT INTO "app_chats" ("name", "description", "is_archived", "chat_type", "creator_id") ' +
        'SELECT * FROM unnest($1::text[], $2::text[], $3::bool[], $4::text[], $5::int4[]) RETURNING "id"',
      // each column is sent as one array literal, built by the adapter
      params: ['{"a","b"}', '{NULL,"x"}', "{f,f}", '{"group","group"}', "{1,2}"],
    });
  });

  test("update by ids and delete by filter", async () => {
    expect(await single(() => Chat.updateMany([7], { name: "Renamed", description: null }))).toEqual({
      sql: 'UPDATE "app_chats" AS t0 SET "name" = $1, "description" = $2 WHERE t0."id" = $3',
      params: ["Renamed", null, 7],
    });
    expect(await single(() => Chat.updateMany([7, 8], { is_archived: true }))).toEqual({
      sql: 'UPDATE "app_chats" AS t0 SET "is_archived" = $1 WHERE t0."id" = ANY($2::int4[])',
      params: [true, [7, 8]],
    });
    expect(await single(() => Chat.deleteMany([["is_archived", "=", true]]))).toEqual({
      sql: 'DELETE FROM "app_chats" AS t0 WHERE t0."is_archived" = $1',
      params: [true],
    });
  });
});
