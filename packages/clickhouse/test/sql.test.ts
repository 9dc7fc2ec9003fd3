import { PostgresCompiler } from "@dotorm/postgres";
import { F, type FieldMeta, UnsupportedError, ValidationError, connect, parseFilter } from "@dotorm/core";
import { type SqlRecorder, sqlModels, sqlRecorder } from "@dotorm/testkit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ClickHouseCompiler,
  ClickHouseDdl,
  ClickHouseIntrospector,
  type ClickHouseStatement,
  clickhouse,
} from "../src/index.js";
import { checkDateRanges, tsvChunks } from "../src/tsv.js";
import { Chat, models, nodes } from "./sql-nodes.js";

const ch = new ClickHouseCompiler();
const pg = new PostgresCompiler();

/** name -> [ClickHouse, PostgreSQL]: the same query description, rendered side by side. */
const expected: Record<string, [{ sql: string; params: Record<string, unknown> }, { sql: string; params: unknown[] }]> =
  {
    getById: [
      {
        sql: "SELECT t0.`id`, t0.`name`, t0.`is_archived` FROM `app_chats` t0 WHERE t0.`id` = {p0:Int64} ORDER BY t0.`id` ASC NULLS LAST LIMIT {p1:UInt64}",
        params: { p0: 7, p1: 1 },
      },
      {
        sql: 'SELECT t0."id", t0."name", t0."is_archived" FROM "app_chats" t0 WHERE t0."id" = $1 ORDER BY t0."id" ASC NULLS LAST LIMIT 1',
        params: [7],
      },
    ],
    filteredPage: [
      {
        sql: "SELECT t0.`id`, t0.`name` FROM `app_chats` t0 WHERE (t0.`is_archived` = {p0:Bool} OR t0.`name` ILIKE {p1:String}) ORDER BY t0.`description` DESC NULLS FIRST, t0.`id` ASC NULLS LAST LIMIT {p2:UInt64} OFFSET {p3:UInt64}",
        params: { p0: false, p1: "%gen%", p2: 20, p3: 40 },
      },
      {
        sql: 'SELECT t0."id", t0."name" FROM "app_chats" t0 WHERE (t0."is_archived" = $1 OR t0."name" ILIKE $2) ORDER BY t0."description" DESC NULLS FIRST, t0."id" ASC NULLS LAST LIMIT 20 OFFSET 40',
        params: [false, "%gen%"],
      },
    ],
    nested: [
      {
        sql: "SELECT t0.`id`, t0.`name`, t0.`creator_id` AS `__key_creator_id`, (SELECT nullIf(any(concat('{\"id\":', ifNull(toJSONString(t1.`id`), 'null'), ',\"name\":', ifNull(toJSONString(t1.`name`), 'null'), '}')), '') FROM `app_users` t1 WHERE t1.`id` = t0.`creator_id`) AS `creator_id`, (SELECT concat('[', arrayStringConcat(arrayMap(x -> x.2, arraySlice(arrayReverseSort(groupArray(tuple(t2.`id`, concat('{\"id\":', ifNull(toJSONString(t2.`id`), 'null'), ',\"body\":', ifNull(toJSONString(t2.`body`), 'null'), ',\"author_user_id\":', if(ifNull(t3.`id`, 0) = 0, 'null', concat('{\"id\":', ifNull(toJSONString(t3.`id`), 'null'), ',\"name\":', ifNull(toJSONString(t3.`name`), 'null'), '}')), '}')))), 1, {p0:UInt64})), ','), ']') FROM `app_chat_messages` t2 LEFT JOIN `app_users` t3 ON t3.`id` = t2.`author_user_id` WHERE t2.`chat_id` = t0.`id`) AS `messages` FROM `app_chats` t0 WHERE t0.`id` = {p1:Int64} ORDER BY t0.`id` ASC NULLS LAST",
        params: { p0: 50, p1: 7 },
      },
      {
        sql: 'SELECT t0."id", t0."name", t1."id" AS "creator_id.id", t1."name" AS "creator_id.name", (SELECT COALESCE(json_agg(t4.j ORDER BY t4.n), \'[]\') FROM (SELECT json_build_object(\'id\', t2."id", \'body\', t2."body", \'author_user_id\', (SELECT json_build_object(\'id\', t3."id", \'name\', t3."name") FROM "app_users" t3 WHERE t3."id" = t2."author_user_id")) AS j, row_number() OVER (ORDER BY t2."id" DESC NULLS FIRST) AS n FROM "app_chat_messages" t2 WHERE t2."chat_id" = t0."id" ORDER BY t2."id" DESC NULLS FIRST LIMIT 50) t4) AS "messages" FROM "app_chats" t0 LEFT JOIN "app_users" t1 ON t1."id" = t0."creator_id" WHERE t0."id" = $1 ORDER BY t0."id" ASC NULLS LAST',
        params: [7],
      },
    ],
    insert: [
      { sql: "INSERT INTO `app_chats` (`id`, `name`, `creator_id`) FORMAT TabSeparated", params: {} },
      {
        sql: 'INSERT INTO "app_chats" ("id", "name", "creator_id") SELECT * FROM unnest($1::int4[], $2::text[], $3::int4[])',
        params: ["{101,102}", '{"General","Random"}', "{1,2}"],
      },
    ],
    update: [
      {
        sql: "UPDATE `app_chats` SET `name` = {p0:String} WHERE `id` IN (SELECT t0.`id` FROM `app_chats` t0 WHERE t0.`id` = {p1:Int64})",
        params: { p0: "Renamed", p1: 7 },
      },
      { sql: 'UPDATE "app_chats" AS t0 SET "name" = $1 WHERE t0."id" = $2', params: ["Renamed", 7] },
    ],
    delete: [
      {
        sql: "DELETE FROM `app_chats` WHERE `id` IN (SELECT t0.`id` FROM `app_chats` t0 WHERE t0.`is_archived` = {p0:Bool})",
        params: { p0: true },
      },
      { sql: 'DELETE FROM "app_chats" AS t0 WHERE t0."is_archived" = $1', params: [true] },
    ],
    count: [
      {
        sql: "SELECT COUNT(*) AS `n` FROM `app_chats` t0 WHERE EXISTS (SELECT 1 FROM `app_users` t1 WHERE t1.`id` = t0.`creator_id` AND t1.`name` = {p0:String})",
        params: { p0: "Ann" },
      },
      {
        sql: 'SELECT COUNT(*) AS "n" FROM "app_chats" t0 WHERE EXISTS (SELECT 1 FROM "app_users" t1 WHERE t1."id" = t0."creator_id" AND t1."name" = $1)',
        params: ["Ann"],
      },
    ],
  };

describe("ClickHouse SQL next to PostgreSQL's, for the same query", () => {
  for (const [name, [clickhouseSql, postgresSql]] of Object.entries(expected)) {
    test(name, () => {
      const node = nodes[name]!;
      expect(ch.compile(node)).toMatchObject(clickhouseSql);
      expect(pg.compile(node)).toMatchObject(postgresSql);
    });
  }

  test("insert rows travel as TabSeparated text, never in the SQL text", () => {
    const compiled = ch.compile(nodes.insert!) as ClickHouseStatement;
    expect(compiled.kind).toBe("insert");
    expect(compiled.bulk).toMatchObject({
      table: "app_chats",
      columns: ["id", "name", "creator_id"],
      rows: [
        [101, "General", 1],
        [102, "Random", 2],
      ],
    });
    expect([...tsvChunks(compiled.bulk!.fields, compiled.bulk!.rows)].join("")).toBe(
      "101\tGeneral\t1\n102\tRandom\t2\n",
    );
  });

  test("TabSeparated rows: escapes, NULL, ISO instants, JSON text, chunks", () => {
    const fields = [
      Chat.meta.fields.get("name"),
      { kind: "datetime" },
      { kind: "json" },
      { kind: "boolean" },
      undefined,
    ] as FieldMeta[];
    const rows = [
      ["a\tb\\c\nd\re", new Date(Date.UTC(2024, 1, 3, 4, 5, 6, 789)), { k: "x\ty" }, true, 1.5],
      [null, null, [1], false, -3],
    ];
    expect([...tsvChunks(fields, rows)].join("")).toBe(
      'a\\tb\\\\c\\nd\\re\t2024-02-03T04:05:06.789Z\t{"k":"x\\\\ty"}\ttrue\t1.5\n\\N\t\\N\t[1]\tfalse\t-3\n',
    );
    expect([...tsvChunks([undefined], [[1], [2], [3]], 3)]).toEqual(["1\n2\n", "3\n"]);
    expect(() =>
      checkDateRanges(
        [{ kind: "datetime", name: "at", model: Chat.meta } as unknown as FieldMeta],
        [[new Date(Date.UTC(2300, 0, 1))]],
      ),
    ).toThrow(ValidationError);
  });

  test("update and delete carry the count that runs first (ClickHouse reports no affected rows)", () => {
    expect((ch.compile(nodes.update!) as ClickHouseStatement).count).toMatchObject({
      sql: "SELECT COUNT(*) AS `n` FROM `app_chats` t0 WHERE t0.`id` = {p0:Int64}",
      params: { p0: 7 },
    });
    expect((ch.compile(nodes.delete!) as ClickHouseStatement).count).toMatchObject({
      sql: "SELECT COUNT(*) AS `n` FROM `app_chats` t0 WHERE t0.`is_archived` = {p0:Bool}",
      params: { p0: true },
    });
  });

  test("dates bind as UTC DateTime64 text; lists as one Array parameter", () => {
    expect(ch.encode(new Date("2024-02-03T04:05:06.789+02:00"))).toBe("2024-02-03 02:05:06.789");
    const node = {
      ...nodes.getById!,
      where: parseFilter(Chat.meta, [["id", "in", [1, 2, 3]]]),
    } as typeof nodes.getById;
    expect(ch.compile(node!)).toMatchObject({
      sql: expect.stringContaining("WHERE t0.`id` IN {p0:Array(Int64)}"),
      params: { p0: [1, 2, 3], p1: 1 },
    });
  });
});

describe("the same statements run on chDB", () => {
  let db: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    db = await connect(clickhouse({ embedded: true, database: `dotorm_sql_${process.pid}` }), { models: [...models] });
    await db.sync();
  });
  afterAll(async () => {
    await db?.close();
  });

  test("every representative statement is accepted by ClickHouse", async () => {
    const results: Record<string, { rows: number; affected: number }> = {};
    for (const [name, node] of Object.entries(nodes)) {
      const result = await db.run(node, { operation: name });
      results[name] = { rows: result.rows.length, affected: result.affected };
      if (name === "count") expect(Number(result.rows[0]?.n), name).toBe(0); // no creator named Ann
    }
    // on the empty database, in order: reads find nothing, the insert writes its 2 rows, the update
    // and delete match none of them (ClickHouse reports no affected count for a mutation), count says 0
    expect(results).toEqual({
      getById: { rows: 0, affected: 0 },
      filteredPage: { rows: 0, affected: 0 },
      nested: { rows: 0, affected: 0 },
      insert: { rows: 0, affected: 2 },
      update: { rows: 0, affected: 0 },
      delete: { rows: 0, affected: 0 },
      count: { rows: 1, affected: 0 },
    });
    const [row] = await db.sql<{ n: number }>`select count() as n from ${db.sql.id("app_chats")}`;
    expect(row?.n).toBe(2);
  });
});

describe("query-set features on ClickHouse, through the public API", () => {
  const { ChatMessage, Thing } = sqlModels;
  let recorder: SqlRecorder;
  beforeAll(async () => {
    recorder = await sqlRecorder({
      dialect: "clickhouse",
      capabilities: {
        returning: false,
        transactions: false,
        savepoints: false,
        transactionalDdl: false,
        foreignKeys: false,
        clientIds: true,
        uniqueConstraints: false,
        relationColumns: false,
      },
      compiler: new ClickHouseCompiler(),
      ddl: new ClickHouseDdl(),
      introspector: new ClickHouseIntrospector(),
    });
  });
  afterAll(() => recorder.db.close());

  test("any / not any: EXISTS with the related filter inside, typed parameters", async () => {
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
    ).toMatchObject({
      sql:
        "SELECT COUNT(*) AS `n` FROM `app_chats` t0 WHERE EXISTS (SELECT 1 FROM `app_chat_messages` t1 " +
        "WHERE t1.`chat_id` = t0.`id` AND (t1.`body` ILIKE {p0:String} AND t1.`author_user_id` = {p1:Int64}))",
      params: { p0: "%hi%", p1: 3 },
    });
    expect(
      await recorder.single(() =>
        Chat.search({ fields: ["name"], filter: [["messages", "not any", [["body", "=", "x"]]]] }),
      ),
    ).toMatchObject({
      sql:
        "SELECT t0.`id`, t0.`name` FROM `app_chats` t0 WHERE NOT COALESCE(EXISTS (SELECT 1 FROM `app_chat_messages` t1 " +
        "WHERE t1.`chat_id` = t0.`id` AND t1.`body` = {p0:String}), FALSE) ORDER BY t0.`id` ASC NULLS LAST",
      params: { p0: "x" },
    });
  });

  test("F(): an UPDATE by id subquery with bare columns in SET (counted first), and column comparisons in WHERE", async () => {
    const update = (await recorder.single(() =>
      Thing.query()
        .filter({ id: 7 })
        .update({ count: F("count").add(1), small: F("small").mul(F("count")) }),
    )) as ClickHouseStatement;
    expect(update).toMatchObject({
      sql: "UPDATE `app_things` SET `count` = (`count` + {p0:Int32}), `small` = (`small` * `count`) WHERE `id` IN (SELECT t0.`id` FROM `app_things` t0 WHERE t0.`id` = {p1:Int64})",
      params: { p0: 1, p1: 7 },
      count: { sql: "SELECT COUNT(*) AS `n` FROM `app_things` t0 WHERE t0.`id` = {p0:Int64}", params: { p0: 7 } },
    });
    expect(
      await recorder.single(() =>
        Thing.query()
          .filter({ count__lt: F("small") })
          .exclude({ ratio__gte: F("ratio").sub(0.5) })
          .only("label"),
      ),
    ).toMatchObject({
      sql:
        "SELECT t0.`id`, t0.`label` FROM `app_things` t0 WHERE (t0.`count` < t0.`small` AND NOT COALESCE(t0.`ratio` >= (t0.`ratio` - {p0:Float64}), FALSE)) " +
        "ORDER BY t0.`id` ASC NULLS LAST",
      // doubles travel as text, parsed exactly by ClickHouse
      params: { p0: "0.5" },
    });
  });

  test("date parts: toYear / toMonth / toDate32 of the UTC column", async () => {
    const read = () =>
      ChatMessage.query()
        .filter({ created_at__year: 2024, created_at__month__in: [1, 2], created_at__date: "2024-05-17" })
        .only("body");
    expect(await recorder.single(read)).toMatchObject({
      sql:
        "SELECT t0.`id`, t0.`body` FROM `app_chat_messages` t0 WHERE (toYear(t0.`created_at`) = {p0:Int32} AND toMonth(t0.`created_at`) IN {p1:Array(Int32)} " +
        "AND toDate32(t0.`created_at`) = {p2:Date32}) ORDER BY t0.`id` ASC NULLS LAST",
      params: { p0: 2024, p1: [1, 2], p2: "2024-05-17" },
    });
  });

  test("distinct values: SELECT DISTINCT in a subquery, ordered by its columns, then sliced", async () => {
    const read = () =>
      Chat.query()
        .filter({ is_archived: false })
        .orderBy("-chat_type")
        .distinct()
        .offset(10)
        .limit(5)
        .values("chat_type", "description");
    expect(await recorder.single(read)).toMatchObject({
      sql:
        "SELECT * FROM (SELECT DISTINCT t0.`chat_type`, t0.`description` FROM `app_chats` t0 WHERE t0.`is_archived` = {p0:Bool}) t1 " +
        "ORDER BY t1.`chat_type` DESC NULLS FIRST, t1.`description` ASC NULLS LAST LIMIT {p1:UInt64} OFFSET {p2:UInt64}",
      params: { p0: false, p1: 5, p2: 10 },
    });
    expect((await recorder.single(() => Thing.query().distinct().values("blob", "code"))).sql).toBe(
      "SELECT * FROM (SELECT DISTINCT hex(t0.`blob`) AS `blob`, t0.`thing_code` AS `code` FROM `app_things` t0) t1 ORDER BY t1.`blob` ASC NULLS LAST, t1.`code` ASC NULLS LAST",
    );
  });

  test("in on decimals and doubles binds one scalar parameter per value (text decimals are not read inside an Array parameter)", async () => {
    expect(
      await recorder.single(() =>
        Thing.query()
          .filter({ price__in: ["1.5", 100000], ratio__in: [0.1, 2], count__in: [1, 2] })
          .only("label"),
      ),
    ).toMatchObject({
      sql:
        "SELECT t0.`id`, t0.`label` FROM `app_things` t0 WHERE (t0.`price` IN ({p0:Decimal(10, 2)}, {p1:Decimal(10, 2)}) " +
        "AND t0.`ratio` IN ({p2:Float64}, {p3:Float64}) AND t0.`count` IN {p4:Array(Int32)}) ORDER BY t0.`id` ASC NULLS LAST",
      params: { p0: "1.5", p1: "100000", p2: "0.1", p3: "2", p4: [1, 2] },
    });
  });

  test("annotate, paths and row locks raise UnsupportedError before any SQL", async () => {
    const sent = await recorder.statements(async () => {
      await expect(
        Chat.query()
          .annotate({ n: ["messages", "count"] })
          .all(),
      ).rejects.toBeInstanceOf(UnsupportedError);
      await expect(Chat.query().distinct().values("creator_id__name")).rejects.toBeInstanceOf(UnsupportedError);
      await expect(Chat.query().forUpdate().first()).rejects.toBeInstanceOf(UnsupportedError);
    });
    expect(sent).toEqual([]);
  });
});
