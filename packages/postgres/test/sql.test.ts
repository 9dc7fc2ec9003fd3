import { F, type CompiledQuery, QueryError } from "@dotorm/core";
import { type SqlRecorder, sqlModels, sqlRecorder } from "@dotorm/testkit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PostgresCompiler, PostgresDdl, PostgresIntrospector } from "../src/index.js";

/**
 * Exact SQL and params for representative calls, built through the public API and the real
 * planning (plan -> compile), with a driver that records each statement instead of sending it.
 * To render the same calls for another dialect, swap the compiler and the expected strings.
 */
const { Chat, ChatMessage, User, Thing } = sqlModels;

let recorder: SqlRecorder;
beforeAll(async () => {
  recorder = await sqlRecorder({
    dialect: "postgres",
    capabilities: {
      returning: true,
      transactions: true,
      savepoints: true,
      transactionalDdl: true,
      foreignKeys: true,
      clientIds: false,
      rowLocks: true,
    },
    compiler: new PostgresCompiler(),
    ddl: new PostgresDdl(),
    introspector: new PostgresIntrospector(),
  });
});
afterAll(() => recorder.db.close());

/** The statements one call sends. */
const statements = (call: () => PromiseLike<unknown>): Promise<CompiledQuery[]> => recorder.statements(call);

/** The single statement one call sends (the N+1 guarantee: reads are one statement). */
const single = (call: () => PromiseLike<unknown>): Promise<CompiledQuery> => recorder.single(call);

describe("reads", () => {
  test("get by id", async () => {
    expect(await single(() => Chat.get(7, { fields: ["name", "is_archived"] }))).toEqual({
      sql: 'SELECT t0."id", t0."name", t0."is_archived" FROM "app_chats" t0 WHERE t0."id" = $1 ORDER BY t0."id" ASC NULLS LAST',
      params: [7],
    });
  });

  test("a filtered page: or, ilike with the value wrapped in %, order with NULL placement, id tie-break, limit/offset written as integers", async () => {
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
        'ORDER BY t0."description" DESC NULLS FIRST, t0."id" ASC NULLS LAST LIMIT 20 OFFSET 40',
      params: [false, "%gen%"],
    });
  });

  test("searchAndCount: one statement, the total an uncorrelated COUNT(*) subquery with the page's where (parameters first)", async () => {
    const page = () =>
      Chat.searchAndCount({
        filter: [["is_archived", "=", false], "or", ["creator_id.name", "ilike", "ann"]],
        fields: ["name"],
        nested: { creator_id: ["name"] },
        order: "name",
        limit: 20,
        offset: 40,
      });
    expect(await single(page)).toEqual({
      sql:
        'SELECT (SELECT COUNT(*) FROM "app_chats" t1 WHERE (t1."is_archived" = $1 OR EXISTS (SELECT 1 FROM "app_users" t2 ' +
        'WHERE t2."id" = t1."creator_id" AND t2."name" ILIKE $2))) AS "#total", ' +
        't0."id", t0."name", t3."id" AS "creator_id.id", t3."name" AS "creator_id.name" FROM "app_chats" t0 ' +
        'LEFT JOIN "app_users" t3 ON t3."id" = t0."creator_id" WHERE (t0."is_archived" = $3 OR EXISTS (SELECT 1 FROM "app_users" t4 ' +
        'WHERE t4."id" = t0."creator_id" AND t4."name" ILIKE $4)) ORDER BY t0."name" ASC NULLS LAST, t0."id" ASC NULLS LAST LIMIT 20 OFFSET 40',
      // the count's where is the page's, rendered first (for its own alias): its parameters come first
      params: [false, "%ann%", false, "%ann%"],
    });
  });

  test("nested many2one (joined) + one2many with order and limit (object form) + many2one inside it: one statement", async () => {
    const read = () =>
      Chat.get(7, {
        fields: ["name"],
        nested: {
          creator_id: ["name"],
          messages: { fields: ["body"], nested: { author_user_id: ["name"] }, order: "id desc", limit: 50 },
        },
      });
    expect(await single(read)).toEqual({
      sql:
        'SELECT t0."id", t0."name", t1."id" AS "creator_id.id", t1."name" AS "creator_id.name", ' +
        `(SELECT COALESCE(json_agg(t4.j ORDER BY t4.n), '[]') FROM (` +
        `SELECT json_build_object('id', t2."id", 'body', t2."body", 'author_user_id', ` +
        `(SELECT json_build_object('id', t3."id", 'name', t3."name") FROM "app_users" t3 WHERE t3."id" = t2."author_user_id")) AS j, ` +
        'row_number() OVER (ORDER BY t2."id" DESC NULLS FIRST) AS n ' +
        'FROM "app_chat_messages" t2 WHERE t2."chat_id" = t0."id" ORDER BY t2."id" DESC NULLS FIRST LIMIT 50) t4) AS "messages" ' +
        'FROM "app_chats" t0 LEFT JOIN "app_users" t1 ON t1."id" = t0."creator_id" WHERE t0."id" = $1 ORDER BY t0."id" ASC NULLS LAST',
      params: [7],
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
    expect(
      await single(() =>
        ChatMessage.search({ fields: ["body"], nested: { chat_id: ["name", { creator_id: ["name"] }] } }),
      ),
    ).toEqual({
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
    const read = () =>
      Chat.search({
        fields: ["name"],
        filter: [
          ["id", "in", [1, 2, 3]],
          ["description", "not in", ["a"]],
        ],
      });
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
        filter: [
          ["not", ["name", "=like", "a_%"]],
          ["id", "between", [5, 9]],
          ["description", "is null"],
        ],
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
    const bulk = () =>
      Chat.createMany([
        { name: "a", creator_id: 1 },
        { name: "b", creator_id: 2, description: "x" },
      ]);
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

describe("query-set features", () => {
  test("any: one related record meets the whole filter; not any: none does (a true complement, NULL-safe)", async () => {
    expect(
      await single(() =>
        Chat.query()
          .where([
            [
              "messages",
              "any",
              [
                ["body", "ilike", "hi"],
                ["author_user_id", "=", 3],
              ],
            ],
          ])
          .count(),
      ),
    ).toEqual({
      sql:
        'SELECT COUNT(*) AS "n" FROM "app_chats" t0 WHERE EXISTS (SELECT 1 FROM "app_chat_messages" t1 ' +
        'WHERE t1."chat_id" = t0."id" AND (t1."body" ILIKE $1 AND t1."author_user_id" = $2))',
      params: ["%hi%", 3],
    });
    expect(
      await single(() => Chat.search({ fields: ["name"], filter: [["messages", "not any", [["body", "=", "x"]]]] })),
    ).toEqual({
      sql:
        'SELECT t0."id", t0."name" FROM "app_chats" t0 WHERE NOT COALESCE(EXISTS (SELECT 1 FROM "app_chat_messages" t1 ' +
        'WHERE t1."chat_id" = t0."id" AND t1."body" = $1), FALSE) ORDER BY t0."id" ASC NULLS LAST',
      params: ["x"],
    });
  });

  test("F(): arithmetic over the row's own columns in SET and WHERE; numbers bound", async () => {
    expect(
      await single(() =>
        Thing.query()
          .filter({ id: 7 })
          .update({ count: F("count").add(1), small: F("small").mul(F("count")) }),
      ),
    ).toEqual({
      sql: 'UPDATE "app_things" AS t0 SET "count" = (t0."count" + $1), "small" = (t0."small" * t0."count") WHERE t0."id" = $2',
      params: [1, 7],
    });
    expect(
      await single(() =>
        Thing.query()
          .filter({ count__lt: F("small") })
          .exclude({ ratio__gte: F("ratio").sub(0.5) })
          .only("label"),
      ),
    ).toEqual({
      sql:
        'SELECT t0."id", t0."label" FROM "app_things" t0 WHERE (t0."count" < t0."small" AND NOT COALESCE(t0."ratio" >= (t0."ratio" - $1), FALSE)) ' +
        'ORDER BY t0."id" ASC NULLS LAST',
      params: [0.5],
    });
  });

  test("annotate: a correlated aggregate per row, in WHERE and ORDER BY of the same statement", async () => {
    const read = () =>
      Chat.query()
        .annotate({ n: ["messages", "count"] })
        .filter({ n__gte: 2 })
        .orderBy("-n")
        .only("name");
    expect(await single(read)).toEqual({
      sql:
        'SELECT t0."id", t0."name" FROM "app_chats" t0 WHERE (SELECT COUNT(t1."id") FROM "app_chat_messages" t1 WHERE t1."chat_id" = t0."id") >= $1 ' +
        'ORDER BY (SELECT COUNT(t2."id") FROM "app_chat_messages" t2 WHERE t2."chat_id" = t0."id") DESC NULLS FIRST, t0."id" ASC NULLS LAST',
      params: [2],
    });
    expect(
      (
        await single(() =>
          Chat.query()
            .annotate({ last: ["messages__created_at", "max"] })
            .values("last"),
        )
      ).sql,
    ).toBe(
      'SELECT t0."id", (SELECT MAX(t1."created_at") FROM "app_chat_messages" t1 WHERE t1."chat_id" = t0."id") AS "last" FROM "app_chats" t0 ORDER BY t0."id" ASC NULLS LAST',
    );
  });

  test("date parts are computed in UTC as integers (a date for __date)", async () => {
    const read = () =>
      ChatMessage.query()
        .filter({ created_at__year: 2024, created_at__month__in: [1, 2], created_at__date: "2024-05-17" })
        .only("body");
    expect(await single(read)).toEqual({
      sql:
        'SELECT t0."id", t0."body" FROM "app_chat_messages" t0 WHERE (CAST(EXTRACT(YEAR FROM (t0."created_at" AT TIME ZONE \'UTC\')) AS INTEGER) = $1 ' +
        "AND CAST(EXTRACT(MONTH FROM (t0.\"created_at\" AT TIME ZONE 'UTC')) AS INTEGER) = ANY($2::int4[]) " +
        'AND CAST((t0."created_at" AT TIME ZONE \'UTC\') AS DATE) = $3) ORDER BY t0."id" ASC NULLS LAST',
      params: [2024, [1, 2], "2024-05-17"],
    });
  });

  test("forUpdate: FOR UPDATE OF the query's own table, SKIP LOCKED or NOWAIT, inside the transaction", async () => {
    const sent = await statements(() =>
      recorder.db.transaction(() =>
        Chat.query().filter({ is_archived: false }).forUpdate({ skipLocked: true }).only("name").first(),
      ),
    );
    expect(sent).toEqual([
      { sql: "BEGIN", params: [] },
      {
        sql: 'SELECT t0."id", t0."name" FROM "app_chats" t0 WHERE t0."is_archived" = $1 ORDER BY t0."id" ASC NULLS LAST LIMIT 1 FOR UPDATE OF t0 SKIP LOCKED',
        params: [false],
      },
      { sql: "COMMIT", params: [] },
    ]);
    const [, locked] = await statements(() =>
      recorder.db.transaction(() => Chat.query().forUpdate({ noWait: true }).only("name").all()),
    );
    expect(locked?.sql).toBe(
      'SELECT t0."id", t0."name" FROM "app_chats" t0 ORDER BY t0."id" ASC NULLS LAST FOR UPDATE OF t0 NOWAIT',
    );
    await expect(statements(() => Chat.query().forUpdate().first())).rejects.toBeInstanceOf(QueryError);
  });

  test("distinct values: SELECT DISTINCT of the listed fields only, ordered outside by its own columns, then sliced", async () => {
    const read = () =>
      Chat.query()
        .filter({ is_archived: false })
        .orderBy("-chat_type")
        .distinct()
        .offset(10)
        .limit(5)
        .values("chat_type", "description");
    expect(await single(read)).toEqual({
      sql:
        'SELECT * FROM (SELECT DISTINCT t0."chat_type", t0."description" FROM "app_chats" t0 WHERE t0."is_archived" = $1) t1 ' +
        'ORDER BY t1."chat_type" DESC NULLS FIRST, t1."description" ASC NULLS LAST LIMIT 5 OFFSET 10',
      params: [false],
    });
    expect(await single(() => Chat.query().distinct().valuesList("creator_id__name", { flat: true }))).toEqual({
      sql:
        'SELECT * FROM (SELECT DISTINCT (SELECT t1."name" FROM "app_users" t1 WHERE t1."id" = t0."creator_id") AS "creator_id__name" FROM "app_chats" t0) t2 ' +
        'ORDER BY t2."creator_id__name" ASC NULLS LAST',
      params: [],
    });
    // a column named apart from its field is aliased, so the outer ORDER BY finds it
    expect((await single(() => Thing.query().distinct().values("code"))).sql).toBe(
      'SELECT * FROM (SELECT DISTINCT t0."thing_code" AS "code" FROM "app_things" t0) t1 ORDER BY t1."code" ASC NULLS LAST',
    );
  });
});
