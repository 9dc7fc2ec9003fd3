import { PostgresCompiler } from "@dotorm/postgres";
import { F, UnsupportedError } from "@dotorm/core";
import { type SqlRecorder, sqlModels, sqlRecorder } from "@dotorm/testkit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MysqlCompiler, MysqlDdl, MysqlIntrospector } from "../src/index.js";
import { nodes } from "./sql-nodes.js";

const mariadb = new MysqlCompiler();
const mysql8 = new MysqlCompiler({ flavor: "mysql" });
const mariadbJson = new MysqlCompiler({ nesting: "json" });
const pg = new PostgresCompiler();

/** name -> [MariaDB / MySQL 8, PostgreSQL]: the same query description, rendered side by side. */
const expected: Record<string, [{ sql: string; params: unknown[] }, { sql: string; params: unknown[] }]> = {
  getById: [
    {
      sql: "SELECT t0.`id`, t0.`name`, t0.`is_archived` FROM `app_chats` t0 WHERE t0.`id` = ? ORDER BY t0.`id` ASC LIMIT ?",
      params: [7, 1],
    },
    {
      sql: 'SELECT t0."id", t0."name", t0."is_archived" FROM "app_chats" t0 WHERE t0."id" = $1 ORDER BY t0."id" ASC NULLS LAST LIMIT 1',
      params: [7],
    },
  ],
  filteredPage: [
    {
      sql:
        "SELECT t0.`id`, t0.`name` FROM `app_chats` t0 WHERE (t0.`is_archived` = ? OR LOWER(t0.`name`) LIKE LOWER(?)) " +
        "ORDER BY t0.`description` IS NULL DESC, t0.`description` DESC, t0.`id` ASC LIMIT ? OFFSET ?",
      params: [false, "%gen%", 20, 40],
    },
    {
      sql:
        'SELECT t0."id", t0."name" FROM "app_chats" t0 WHERE (t0."is_archived" = $1 OR t0."name" ILIKE $2) ' +
        'ORDER BY t0."description" DESC NULLS FIRST, t0."id" ASC NULLS LAST LIMIT 20 OFFSET 40',
      params: [false, "%gen%"],
    },
  ],
  nested: [
    {
      sql:
        "(SELECT 0 AS `#b`, NULL AS `#p`, NULL AS `#n`, t0.`id`, t0.`name`, t1.`id` AS `creator_id.id`, t1.`name` AS `creator_id.name`, " +
        "NULL AS `1#id`, NULL AS `1#body`, NULL AS `1#author_user_id.id`, NULL AS `1#author_user_id.name` " +
        "FROM `app_chats` t0 LEFT JOIN `app_users` t1 ON t1.`id` = t0.`creator_id` WHERE t0.`id` = ? ORDER BY t0.`id` ASC LIMIT 18446744073709551615) " +
        "UNION ALL (SELECT 1, t2.`chat_id`, NULL, NULL, NULL, NULL, NULL, t2.`id` AS `1#id`, t2.`body` AS `1#body`, t3.`id` AS `1#author_user_id.id`, t3.`name` AS `1#author_user_id.name` " +
        "FROM `app_chat_messages` t2 LEFT JOIN `app_users` t3 ON t3.`id` = t2.`author_user_id` " +
        "WHERE t2.`chat_id` = ? ORDER BY t2.`id` DESC LIMIT ?)",
      params: [7, 7, 50],
    },
    {
      sql:
        'SELECT t0."id", t0."name", t1."id" AS "creator_id.id", t1."name" AS "creator_id.name", ' +
        "(SELECT COALESCE(json_agg(t4.j ORDER BY t4.n), '[]') FROM (SELECT json_build_object('id', t2.\"id\", 'body', t2.\"body\", 'author_user_id', " +
        '(SELECT json_build_object(\'id\', t3."id", \'name\', t3."name") FROM "app_users" t3 WHERE t3."id" = t2."author_user_id")) AS j, ' +
        'row_number() OVER (ORDER BY t2."id" DESC NULLS FIRST) AS n FROM "app_chat_messages" t2 WHERE t2."chat_id" = t0."id" ORDER BY t2."id" DESC NULLS FIRST LIMIT 50) t4) AS "messages" ' +
        'FROM "app_chats" t0 LEFT JOIN "app_users" t1 ON t1."id" = t0."creator_id" WHERE t0."id" = $1 ORDER BY t0."id" ASC NULLS LAST',
      params: [7],
    },
  ],
  insert: [
    {
      sql: "INSERT INTO `app_chats` (`name`, `creator_id`) VALUES (?, ?), (?, ?) RETURNING `id`",
      params: ["General", 1, "Random", 2],
    },
    {
      sql: 'INSERT INTO "app_chats" ("name", "creator_id") SELECT * FROM unnest($1::text[], $2::int4[]) RETURNING "id"',
      params: ['{"General","Random"}', "{1,2}"],
    },
  ],
  update: [
    { sql: "UPDATE `app_chats` AS t0 SET `name` = ? WHERE t0.`id` = ?", params: ["Renamed", 7] },
    { sql: 'UPDATE "app_chats" AS t0 SET "name" = $1 WHERE t0."id" = $2', params: ["Renamed", 7] },
  ],
  delete: [
    { sql: "DELETE t0 FROM `app_chats` AS t0 WHERE t0.`is_archived` = ?", params: [true] },
    { sql: 'DELETE FROM "app_chats" AS t0 WHERE t0."is_archived" = $1', params: [true] },
  ],
  count: [
    {
      sql: "SELECT COUNT(*) AS `n` FROM `app_chats` t0 WHERE EXISTS (SELECT 1 FROM `app_users` t1 WHERE t1.`id` = t0.`creator_id` AND t1.`name` = ?)",
      params: ["Ann"],
    },
    {
      sql: 'SELECT COUNT(*) AS "n" FROM "app_chats" t0 WHERE EXISTS (SELECT 1 FROM "app_users" t1 WHERE t1."id" = t0."creator_id" AND t1."name" = $1)',
      params: ["Ann"],
    },
  ],
};

describe("MySQL SQL next to PostgreSQL's, for the same query", () => {
  for (const [name, [my, postgres]] of Object.entries(expected)) {
    test(name, () => {
      const node = nodes[name]!;
      expect(mariadb.compile(node)).toMatchObject(my);
      expect(pg.compile(node)).toMatchObject(postgres);
      // Only nested arrays and RETURNING differ between the two servers (see the tests below).
      if (name !== "nested" && name !== "insert") expect(mysql8.compile(node)).toMatchObject(my);
    });
  }

  test('nested arrays as JSON on MariaDB (nesting: "json"): ordered and limited inside JSON_ARRAYAGG', () => {
    expect(mariadbJson.compile(nodes.nested!)).toMatchObject({
      sql:
        "SELECT t0.`id`, t0.`name`, t1.`id` AS `creator_id.id`, t1.`name` AS `creator_id.name`, " +
        "(SELECT COALESCE(JSON_ARRAYAGG(JSON_OBJECT('id', t2.`id`, 'body', t2.`body`, 'author_user_id', " +
        "(SELECT JSON_OBJECT('id', t3.`id`, 'name', t3.`name`) FROM `app_users` t3 WHERE t3.`id` = t2.`author_user_id`)) ORDER BY t2.`id` DESC LIMIT 50), JSON_ARRAY()) " +
        "FROM `app_chat_messages` t2 WHERE t2.`chat_id` = t0.`id`) AS `messages` FROM `app_chats` t0 LEFT JOIN `app_users` t1 ON t1.`id` = t0.`creator_id` " +
        "WHERE t0.`id` = ? ORDER BY t0.`id` ASC",
      params: [7],
    });
  });

  test("a per-parent limit over several parents is a ROW_NUMBER() rank; a single parent keeps ORDER BY ... LIMIT", () => {
    const page = { ...(nodes.nested as Extract<typeof nodes.nested, { kind: "select" }>), where: undefined, limit: 20 };
    const { sql, params } = mariadb.compile(page);
    expect(sql).toContain(
      "UNION ALL (SELECT 1, t3.`p`, t3.`n`, NULL, NULL, NULL, NULL, t2.`id` AS `1#id`, t2.`body` AS `1#body`, t4.`id` AS `1#author_user_id.id`, t4.`name` AS `1#author_user_id.name` " +
        "FROM (SELECT t5.`id` AS `id`, t5.`chat_id` AS `p`, ROW_NUMBER() OVER (PARTITION BY t5.`chat_id` ORDER BY t5.`id` DESC) AS `n` FROM `app_chat_messages` t5 " +
        "WHERE t5.`chat_id` IN (SELECT t6.`id` FROM (SELECT t7.`id` FROM `app_chats` t7 ORDER BY t7.`id` ASC LIMIT ?) t6)) t3 " +
        "JOIN `app_chat_messages` t2 ON t2.`id` = t3.`id` LEFT JOIN `app_users` t4 ON t4.`id` = t2.`author_user_id` WHERE t3.`n` > ? AND t3.`n` <= ?)",
    );
    expect(params).toEqual([20, 20, 0, 50]);
  });

  test("nested arrays on MySQL 8 aggregate an ordered, limited derived table instead", () => {
    expect(mysql8.compile(nodes.nested!).sql).toContain(
      "(SELECT COALESCE(JSON_ARRAYAGG(t4.j), JSON_ARRAY()) FROM (SELECT JSON_OBJECT('id', t2.`id`, 'body', t2.`body`, 'author_user_id', " +
        "(SELECT JSON_OBJECT('id', t3.`id`, 'name', t3.`name`) FROM `app_users` t3 WHERE t3.`id` = t2.`author_user_id`)) AS j " +
        "FROM `app_chat_messages` t2 WHERE t2.`chat_id` = t0.`id` ORDER BY t2.`id` DESC LIMIT 50) t4) AS `messages`",
    );
  });

  test("MySQL 8 has no RETURNING: the ids come from the insert id; a several-row upsert is refused", () => {
    expect(mysql8.compile(nodes.insert!)).toMatchObject({
      sql: "INSERT INTO `app_chats` (`name`, `creator_id`) VALUES (?, ?), (?, ?)",
      params: ["General", 1, "Random", 2],
    });
    const insert = nodes.insert as Extract<typeof nodes.insert, { kind: "insert" }>;
    const name = insert.columns[0]!.field!;
    const upsert = { ...insert, onConflict: { columns: [name], update: [name] } };
    expect(mysql8.compile({ ...upsert, rows: upsert.rows.slice(0, 1) }).sql).toBe(
      "INSERT INTO `app_chats` (`name`, `creator_id`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `id` = LAST_INSERT_ID(`id`), `name` = VALUES(`name`)",
    );
    expect(() => mysql8.compile(upsert)).toThrow(UnsupportedError);
    expect(mariadb.compile(upsert).sql).toMatch(
      /ON DUPLICATE KEY UPDATE `id` = LAST_INSERT_ID\(`id`\), `name` = VALUES\(`name`\) RETURNING `id`$/,
    );
  });

  test("a joined many2one with a condition (an access rule) binds its ON values after the select list's, in text order", () => {
    const union = mariadb.compile(nodes.guardedNested!);
    expect(union.sql).toMatch(
      /^\(SELECT 0 AS `#b`, NULL AS `#p`, NULL AS `#n`, t0.`id`, t1.`id` AS `creator_id.id`, t1.`name` AS `creator_id.name`, NULL AS `1#id` FROM `app_chats` t0 LEFT JOIN `app_users` t1 ON t1.`id` = t0.`creator_id` AND t1.`is_active` = \? WHERE t0.`name` = \? /,
    );
    expect(union.params).toEqual([true, "General", "General", "hi"]);
    const { sql, params } = mariadbJson.compile(nodes.guardedNested!);
    expect(sql).toBe(
      "SELECT t0.`id`, t1.`id` AS `creator_id.id`, t1.`name` AS `creator_id.name`, " +
        "(SELECT COALESCE(JSON_ARRAYAGG(JSON_OBJECT('id', t2.`id`) ORDER BY t2.`id` ASC), JSON_ARRAY()) FROM `app_chat_messages` t2 WHERE t2.`chat_id` = t0.`id` AND t2.`body` = ?) AS `messages` " +
        "FROM `app_chats` t0 LEFT JOIN `app_users` t1 ON t1.`id` = t0.`creator_id` AND t1.`is_active` = ? WHERE t0.`name` = ? ORDER BY t0.`id` ASC",
    );
    // the messages' value is listed before the join's, and bound first
    expect(params).toEqual(["hi", true, "General"]);
  });

  test("an offset without a limit gets MySQL's largest LIMIT; dates go as UTC text", () => {
    const node = { ...nodes.getById!, limit: undefined, offset: 5 } as typeof nodes.getById;
    expect(mariadb.compile(node!).sql).toMatch(/ LIMIT 18446744073709551615 OFFSET \?$/);
    expect(mariadb.encode(new Date("2024-02-03T04:05:06.789+02:00"))).toBe("2024-02-03 02:05:06.789");
  });
});

describe("query-set features on MariaDB, through the public API", () => {
  const { Chat, ChatMessage, Thing } = sqlModels;
  let recorder: SqlRecorder;
  beforeAll(async () => {
    recorder = await sqlRecorder({
      dialect: "mysql",
      capabilities: {
        returning: true,
        transactions: true,
        savepoints: true,
        transactionalDdl: false,
        foreignKeys: true,
        clientIds: false,
        rowLocks: true,
      },
      compiler: new MysqlCompiler(),
      ddl: new MysqlDdl(),
      introspector: new MysqlIntrospector(),
    });
  });
  afterAll(() => recorder.db.close());

  test("any / not any: EXISTS with the related filter inside, not any as a NULL-safe complement", async () => {
    expect(
      await recorder.single(() =>
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
        "SELECT COUNT(*) AS `n` FROM `app_chats` t0 WHERE EXISTS (SELECT 1 FROM `app_chat_messages` t1 " +
        "WHERE t1.`chat_id` = t0.`id` AND (LOWER(t1.`body`) LIKE LOWER(?) AND t1.`author_user_id` = ?))",
      params: ["%hi%", 3],
    });
    expect(
      await recorder.single(() =>
        Chat.search({ fields: ["name"], filter: [["messages", "not any", [["body", "=", "x"]]]] }),
      ),
    ).toEqual({
      sql:
        "SELECT t0.`id`, t0.`name` FROM `app_chats` t0 WHERE NOT COALESCE(EXISTS (SELECT 1 FROM `app_chat_messages` t1 " +
        "WHERE t1.`chat_id` = t0.`id` AND t1.`body` = ?), FALSE) ORDER BY t0.`id` ASC",
      params: ["x"],
    });
  });

  test("searchAndCount: one statement with the total's ? parameters first; tagged union rows (nested one2many) count apart", async () => {
    const filter = [["name", "like", "gen"]] as const;
    expect(await recorder.single(() => Chat.searchAndCount({ fields: ["name"], filter, limit: 2, offset: 4 }))).toEqual(
      {
        sql:
          "SELECT (SELECT COUNT(*) FROM `app_chats` t1 WHERE t1.`name` LIKE ? COLLATE utf8mb4_bin) AS `#total`, " +
          "t0.`id`, t0.`name` FROM `app_chats` t0 WHERE t0.`name` LIKE ? COLLATE utf8mb4_bin ORDER BY t0.`id` ASC LIMIT ? OFFSET ?",
        params: ["%gen%", "%gen%", 2, 4],
      },
    );
    const tagged = await recorder.statements(() =>
      Chat.searchAndCount({ fields: ["name"], filter, nested: { messages: ["body"] }, limit: 2, offset: 4 }),
    );
    expect(tagged).toHaveLength(2);
    expect(tagged[0]?.sql).toMatch(/^\(SELECT 0 AS `#b`.* UNION ALL /);
    expect(tagged[0]?.sql).not.toContain("#total");
    expect(tagged[1]).toEqual({
      sql: "SELECT COUNT(*) AS `n` FROM `app_chats` t0 WHERE t0.`name` LIKE ? COLLATE utf8mb4_bin",
      params: ["%gen%"],
    });
  });

  test("a page of chats with their creator's name: one SELECT, the creator LEFT JOINed into the row", async () => {
    expect(
      await recorder.single(() => Chat.search({ fields: ["name"], nested: { creator_id: ["name"] }, limit: 100 })),
    ).toEqual({
      sql:
        "SELECT t0.`id`, t0.`name`, t1.`id` AS `creator_id.id`, t1.`name` AS `creator_id.name` " +
        "FROM `app_chats` t0 LEFT JOIN `app_users` t1 ON t1.`id` = t0.`creator_id` ORDER BY t0.`id` ASC LIMIT ?",
      params: [100],
    });
  });

  test("F(): arithmetic over the row's own columns in SET and WHERE", async () => {
    expect(
      await recorder.single(() =>
        Thing.query()
          .filter({ id: 7 })
          .update({ count: F("count").add(1), small: F("small").mul(F("count")) }),
      ),
    ).toEqual({
      sql: "UPDATE `app_things` AS t0 SET `count` = (t0.`count` + ?), `small` = (t0.`small` * t0.`count`) WHERE t0.`id` = ?",
      params: [1, 7],
    });
    expect(
      await recorder.single(() =>
        Thing.query()
          .filter({ count__lt: F("small") })
          .exclude({ ratio__gte: F("ratio").sub(0.5) })
          .only("label"),
      ),
    ).toEqual({
      sql: "SELECT t0.`id`, t0.`label` FROM `app_things` t0 WHERE (t0.`count` < t0.`small` AND NOT COALESCE(t0.`ratio` >= (t0.`ratio` - ?), FALSE)) ORDER BY t0.`id` ASC",
      params: [0.5],
    });
  });

  test("annotate: the correlated aggregate is rendered (and bound) once per use, the NULL key included", async () => {
    expect(
      await recorder.single(() =>
        Chat.query()
          .annotate({ n: ["messages", "count"] })
          .filter({ n__gte: 2 })
          .orderBy("-n")
          .only("name"),
      ),
    ).toEqual({
      sql:
        "SELECT t0.`id`, t0.`name` FROM `app_chats` t0 WHERE (SELECT COUNT(t1.`id`) FROM `app_chat_messages` t1 WHERE t1.`chat_id` = t0.`id`) >= ? " +
        "ORDER BY (SELECT COUNT(t2.`id`) FROM `app_chat_messages` t2 WHERE t2.`chat_id` = t0.`id`) IS NULL DESC, " +
        "(SELECT COUNT(t3.`id`) FROM `app_chat_messages` t3 WHERE t3.`chat_id` = t0.`id`) DESC, t0.`id` ASC",
      params: [2],
    });
  });

  test("date parts: EXTRACT and CAST AS DATE on the UTC datetime column", async () => {
    const read = () =>
      ChatMessage.query()
        .filter({ created_at__year: 2024, created_at__month__in: [1, 2], created_at__date: "2024-05-17" })
        .only("body");
    expect(await recorder.single(read)).toEqual({
      sql:
        "SELECT t0.`id`, t0.`body` FROM `app_chat_messages` t0 WHERE (EXTRACT(YEAR FROM t0.`created_at`) = ? AND EXTRACT(MONTH FROM t0.`created_at`) IN (?, ?) " +
        "AND CAST(t0.`created_at` AS DATE) = ?) ORDER BY t0.`id` ASC",
      params: [2024, 1, 2, "2024-05-17"],
    });
  });

  test("forUpdate: FOR UPDATE (no OF on MariaDB), SKIP LOCKED / NOWAIT, inside START TRANSACTION", async () => {
    const sent = await recorder.statements(() =>
      recorder.db.transaction(() =>
        Chat.query().filter({ is_archived: false }).forUpdate({ skipLocked: true }).only("name").first(),
      ),
    );
    expect(sent).toEqual([
      { sql: "START TRANSACTION", params: [] },
      {
        sql: "SELECT t0.`id`, t0.`name` FROM `app_chats` t0 WHERE t0.`is_archived` = ? ORDER BY t0.`id` ASC LIMIT ? FOR UPDATE SKIP LOCKED",
        params: [false, 1],
      },
      { sql: "COMMIT", params: [] },
    ]);
    const [, locked] = await recorder.statements(() =>
      recorder.db.transaction(() => Chat.query().forUpdate({ noWait: true }).only("name").all()),
    );
    expect(locked?.sql).toBe("SELECT t0.`id`, t0.`name` FROM `app_chats` t0 ORDER BY t0.`id` ASC FOR UPDATE NOWAIT");
  });

  test("distinct values: SELECT DISTINCT in a derived table, ordered by its columns with MySQL's NULL key, then sliced", async () => {
    const read = () =>
      Chat.query()
        .filter({ is_archived: false })
        .orderBy("-chat_type")
        .distinct()
        .offset(10)
        .limit(5)
        .values("chat_type", "description");
    expect(await recorder.single(read)).toEqual({
      sql:
        "SELECT * FROM (SELECT DISTINCT t0.`chat_type`, t0.`description` FROM `app_chats` t0 WHERE t0.`is_archived` = ?) t1 " +
        "ORDER BY t1.`chat_type` IS NULL DESC, t1.`chat_type` DESC, t1.`description` IS NULL, t1.`description` ASC LIMIT ? OFFSET ?",
      params: [false, 5, 10],
    });
    expect(await recorder.single(() => Chat.query().distinct().valuesList("creator_id__name", { flat: true }))).toEqual(
      {
        sql:
          "SELECT * FROM (SELECT DISTINCT (SELECT t1.`name` FROM `app_users` t1 WHERE t1.`id` = t0.`creator_id`) AS `creator_id__name` FROM `app_chats` t0) t2 " +
          "ORDER BY t2.`creator_id__name` IS NULL, t2.`creator_id__name` ASC",
        params: [],
      },
    );
  });
});
