import {
  ConfigurationError,
  UnsupportedError,
  ValidationError,
  connect,
  f,
  model,
  ref,
  renderOperation,
} from "@dotorm/core";
import { makeModels } from "@dotorm/testkit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ClickHouseDdl, IdGenerator, clickhouse } from "../src/index.js";

describe("ids", () => {
  test("time-ordered, strictly increasing, safe integers; distinct nodes never collide", () => {
    const a = new IdGenerator(1);
    const b = new IdGenerator(2);
    const madeAt = Date.now() / 1000;
    const ids = [...a.next(10_000), ...a.next(3)];
    for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
    expect(ids.every((id) => Number.isSafeInteger(id) && id > 0)).toBe(true);
    const other = new Set(b.next(10_000));
    expect(ids.some((id) => other.has(id))).toBe(false);
    // seconds since 2024 sit in the high bits: the first id decodes to the second it was made in
    // (compared with the time taken just before, not after the checks, which a loaded machine stretches)
    expect(Math.abs(Math.floor(ids[0]! / 2 ** 22) + 1_704_067_200 - madeAt)).toBeLessThan(2);
    expect(() => new IdGenerator(1024)).toThrow(/nodeId/);
  });
});

describe("DDL", () => {
  const ddl = new ClickHouseDdl();
  test("MergeTree ordered by id, Nullable optional columns, LowCardinality selections, no foreign keys", () => {
    const { Chat, Thing } = makeModels("ddl");
    expect(ddl.createTable(Chat.meta)).toBe(
      "CREATE TABLE IF NOT EXISTS `ddl_chats` (`id` Int64, `name` String, `description` Nullable(String), `is_archived` Nullable(Bool) DEFAULT FALSE, " +
        "`chat_type` LowCardinality(String) DEFAULT 'group', `creator_id` Int64) ENGINE = MergeTree ORDER BY (`id`) " +
        "SETTINGS enable_block_number_column = 1, enable_block_offset_column = 1",
    );
    const thing = ddl.createTable(Thing.meta);
    for (const type of [
      "Nullable(Int16)",
      "Nullable(Decimal(10, 2))",
      "Nullable(DateTime64(3, 'UTC'))",
      "Nullable(Date32)",
      "Nullable(Time64(6))",
      "LowCardinality(Nullable(String))",
      "`data` Nullable(String)",
    ]) {
      expect(thing).toContain(type);
    }
    expect(() => ddl.addForeignKey()).toThrow(UnsupportedError);
  });

  test("clickhouse.orderBy, partitionBy and ttl from the model options; orderBy fields must be required", () => {
    const Event = model(
      "events",
      { kind: f.char({ maxLength: 20, required: true }), at: f.datetime({ required: true }), note: f.text() },
      {
        clickhouse: { orderBy: ["kind", "at"], partitionBy: "toYYYYMM(at)", ttl: "toDateTime(at) + INTERVAL 1 YEAR" },
      },
    );
    expect(ddl.tableOptions(Event.meta)).toBe(
      " ENGINE = MergeTree PARTITION BY toYYYYMM(at) ORDER BY (`kind`, `at`) TTL toDateTime(at) + INTERVAL 1 YEAR SETTINGS enable_block_number_column = 1, enable_block_offset_column = 1",
    );
    const Bad = model("bad_events", { note: f.text() }, { clickhouse: { orderBy: ["note"] } });
    expect(() => ddl.checkModel(Bad.meta)).toThrow(/must be required/);
  });
});

describe("ON CLUSTER", () => {
  const ddl = new ClickHouseDdl("crm_cluster");
  const q = "`crm_cluster`";
  test("every CREATE, ALTER and DROP TABLE of sync and of migrations names the cluster", () => {
    const { Chat } = makeModels("oc");
    expect(ddl.createTable(Chat.meta)).toMatch(
      new RegExp(`^CREATE TABLE IF NOT EXISTS \`oc_chats\` ON CLUSTER ${q} \\(`),
    );
    const field = f.integer();
    const ops = [
      renderOperation(
        {
          kind: "createTable",
          table: "leads",
          columns: { title: f.char({ maxLength: 80, required: true }), partner_id: ref("partners") },
        },
        ddl,
      ),
      renderOperation({ kind: "addColumn", table: "leads", column: "probability", field }, ddl),
      renderOperation({ kind: "renameColumn", table: "leads", from: "title", to: "subject" }, ddl),
      renderOperation(
        { kind: "alterColumn", table: "leads", column: "probability", from: field, to: f.integer({ required: true }) },
        ddl,
      ),
      renderOperation(
        { kind: "addIndex", table: "leads", name: "leads_probability_idx", columns: ["probability"], unique: false },
        ddl,
      ),
      renderOperation(
        { kind: "dropIndex", table: "leads", name: "leads_probability_idx", columns: ["probability"], unique: false },
        ddl,
      ),
      renderOperation({ kind: "dropColumn", table: "leads", column: "probability", field }, ddl),
      renderOperation({ kind: "createLinkTable", table: "leads_tags_rel", column1: "lead_id", column2: "tag_id" }, ddl),
      renderOperation({ kind: "dropTable", table: "leads", columns: {} }, ddl),
    ].flat();
    // one statement per operation, two for the alter (MODIFY the type with a default for existing rows, then REMOVE DEFAULT)
    expect(
      ops.map((sql) =>
        sql.replace(` ON CLUSTER ${q}`, "").replace(" IF NOT EXISTS", "").split(" ").slice(0, 5).join(" "),
      ),
    ).toEqual([
      "CREATE TABLE `leads` (`id` Int64,",
      "ALTER TABLE `leads` ADD COLUMN",
      "ALTER TABLE `leads` RENAME COLUMN",
      "ALTER TABLE `leads` MODIFY COLUMN",
      "ALTER TABLE `leads` MODIFY COLUMN",
      "ALTER TABLE `leads` ADD INDEX",
      "ALTER TABLE `leads` DROP INDEX",
      "ALTER TABLE `leads` DROP COLUMN",
      "CREATE TABLE `leads_tags_rel` (`lead_id` Int64,",
      "DROP TABLE `leads` SYNC",
    ]);
    for (const sql of ops)
      expect(sql).toMatch(new RegExp(`^(CREATE|ALTER|DROP) TABLE (IF NOT EXISTS )?\`[a-z_]+\` ON CLUSTER ${q}( |$)`));
    // without a cluster nothing changes
    expect(new ClickHouseDdl().dropTable("leads")).toBe("DROP TABLE `leads`");
  });

  test("MergeTree-family engines become Replicated with the {shard}/{replica} macros; others are kept", () => {
    const { Chat } = makeModels("rp");
    expect(ddl.tableOptions(Chat.meta)).toBe(
      " ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/rp_chats', '{replica}') ORDER BY (`id`) SETTINGS enable_block_number_column = 1, enable_block_offset_column = 1",
    );
    expect(ddl.engine("leads", "ReplacingMergeTree(version)")).toBe(
      "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/leads', '{replica}', version)",
    );
    expect(ddl.engine("t", "SummingMergeTree")).toBe(
      "ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/t', '{replica}')",
    );
    expect(ddl.engine("t", "ReplicatedMergeTree('/x/{shard}', '{replica}')")).toBe(
      "ReplicatedMergeTree('/x/{shard}', '{replica}')",
    );
    expect(ddl.engine("t", "Log")).toBe("Log");
    expect(new ClickHouseDdl().engine("t", "MergeTree")).toBe("MergeTree");
    expect(
      ddl.createLinkTable({ table: "a_b_rel", column1: "a_id", column2: "b_id", owner: Chat.meta, target: Chat.meta }),
    ).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/a_b_rel', '{replica}') ORDER BY");
  });

  test("the option is checked: a server only, a plain cluster name", () => {
    expect(() => clickhouse({ embedded: true, cluster: "c" })).toThrow(ConfigurationError);
    expect(() => clickhouse({ url: "http://127.0.0.1:1", cluster: "c` SETTINGS x=1" })).toThrow(/cluster/);
    expect(() => clickhouse({ url: "http://127.0.0.1:1", cluster: 5 as unknown as string })).toThrow(/cluster/);
  });
});

describe("on chDB", () => {
  const t = makeModels("ch");
  let db: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    db = await connect(clickhouse({ embedded: true, database: `dotorm_ch_${process.pid}`, batchSize: 1000 }), {
      models: [...t.models],
    });
    await db.sync();
  });
  afterAll(async () => {
    await db?.close();
  });

  test("onDelete is not enforced: children keep the deleted parent's id and nested reads show no parent", async () => {
    const { Chat, ChatMessage, User } = t;
    const user = await User.create({ name: "Parent" });
    const chat = await Chat.create({ name: "doomed", creator_id: user });
    const message = await ChatMessage.create({ chat_id: chat, body: "left behind" });
    expect(await Chat.deleteMany([chat])).toBe(1);
    // onDelete "cascade" on chat_id: ClickHouse has no foreign keys, so the message stays, pointing nowhere.
    const orphan = await ChatMessage.get(message, { fields: ["chat_id"], nested: { chat_id: ["name"] } });
    expect(orphan.chat_id).toBeNull();
    expect((await ChatMessage.get(message, { fields: ["chat_id"] })).chat_id).toBe(chat);
  });

  test("update and delete are visible to the very next read, with counts", async () => {
    const { Role } = t;
    const ids = await Role.createMany(["v1", "v2", "v3"].map((code) => ({ code })));
    expect(await Role.updateMany([["code", "in", ["v1", "v2"]]], { name: "seen" })).toBe(2);
    expect((await Role.search({ filter: [["id", "in", ids]], fields: ["name"] })).map((r) => r.name)).toEqual([
      "seen",
      "seen",
      null,
    ]);
    expect(await Role.deleteMany([["name", "=", "seen"]])).toBe(2);
    expect(await Role.count({ filter: [["id", "in", ids]] })).toBe(1);
    expect(await Role.deleteMany([["name", "=", "seen"]])).toBe(0);
  });

  test("createMany sends one TabSeparated insert per batch and returns the ids in order", async () => {
    const { User } = t;
    const { result: ids, statements } = await record2(() =>
      User.createMany(Array.from({ length: 2500 }, (_, i) => ({ name: `bulk-${i}` }))),
    );
    expect(statements.filter((s) => s.startsWith("INSERT"))).toEqual(
      Array(3).fill("INSERT INTO `ch_users` (`id`, `name`, `is_active`) FORMAT TabSeparated"),
    );
    const rows = await User.search({ filter: [["name", "like", "bulk-"]], fields: ["name"], order: "id" });
    expect(rows.map((r) => r.id)).toEqual(ids);
    expect(rows[2499]?.name).toBe("bulk-2499");
  });

  test("doubles round-trip to the last bit; dates outside 1900-2299 are refused, not clamped", async () => {
    const { Thing } = t;
    const ratios = [0.1 + 0.2, Number.MAX_VALUE, 5e-324];
    const ids = await Thing.createMany(
      ratios.map((ratio, i) => ({ label: `d${i}`, ratio, blob: new Uint8Array([0, 255]) })),
    );
    const back = await Thing.search({ filter: [["id", "in", ids]], fields: ["ratio", "blob"], order: "id" });
    expect(back.map((r) => r.ratio)).toEqual(ratios);
    expect(Array.from(back[0]?.blob ?? [])).toEqual([0, 255]);
    await expect(Thing.create({ label: "far", at: new Date("2999-12-31T23:59:59.999Z") })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(Thing.create({ label: "old", day: "0001-01-01" })).rejects.toThrow(/1900 to 2299/);
  });

  test("transactions raise UnsupportedError naming the dialect", async () => {
    const err = await db.transaction(async () => 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect(err).toMatchObject({ feature: "transaction", dialect: "chdb" });
  });

  async function record2<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    const statements: string[] = [];
    const listener = (e: { sql: string }) => statements.push(e.sql);
    db.on("query", listener);
    try {
      return { result: await fn(), statements };
    } finally {
      db.off("query", listener);
    }
  }
});
