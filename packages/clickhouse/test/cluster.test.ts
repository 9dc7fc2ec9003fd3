import { readFileSync } from "node:fs";
import {
  ConfigurationError,
  desiredSchema,
  diffSchema,
  f,
  model,
  parseFilter,
  planSync,
  renderOperation,
  schemaState,
} from "@dotorm/core";
import { describe, expect, test } from "vitest";
import {
  ClickHouseCompiler,
  ClickHouseDdl,
  type ClickHouseStatement,
  claimsSql,
  mergePairs,
  pairsOf,
  schemaOfRows,
} from "../src/index.js";

// No ClickHouse cluster runs on the CI machine: these tests pin the exact statements a cluster
// receives (README "Clusters" runs the suite against docker-compose's cluster profile).

const Event = model(
  "ev",
  {
    kind: f.char({ maxLength: 20, required: true }),
    account_id: f.integer({ required: true, index: true }),
    note: f.text(),
  },
  { clickhouse: { orderBy: ["kind", "id"], distributed: { shardingKey: "account_id" } } },
);
const Plain = model("pl", { name: f.text() });
const on = "ON CLUSTER `dotorm`";
const cols = "(`id` Int64, `kind` String, `account_id` Int32, `note` Nullable(String))";
const settings = "SETTINGS enable_block_number_column = 1, enable_block_offset_column = 1";
const createLocal = `CREATE TABLE IF NOT EXISTS \`ev_local\` ${on} ${cols} ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/ev_local', '{replica}') ORDER BY (\`kind\`, \`id\`) ${settings}`;
const createDistributed = `CREATE TABLE IF NOT EXISTS \`ev\` ${on} ${cols} ENGINE = Distributed('dotorm', 'crm', 'ev_local', account_id)`;
const addIndex = `ALTER TABLE \`ev_local\` ${on} ADD INDEX IF NOT EXISTS \`idx_ev_account_id\` (\`account_id\`) TYPE bloom_filter GRANULARITY 4`;
const empty = schemaState({ columns: [], indexes: [] });
const clusterDdl = () => new ClickHouseDdl("dotorm", { database: "crm" });
/** An engine lookup that must not be needed: the compiler knew the table. */
const noLookup = async (): Promise<string | undefined> => {
  throw new Error("the driver should not need to ask for the engine");
};

/** What ClickHouse's system tables hold on a node after the pair was created (a column list per table). */
function clusterRows(distributedColumns: readonly string[] = ["id", "kind", "account_id", "note"]) {
  const types: Record<string, string> = { id: "Int64", kind: "String", account_id: "Int32", note: "Nullable(String)" };
  const column = (t: string, c: string) => ({
    t,
    c,
    type: types[c],
    nullable: types[c]!.startsWith("Nullable(") ? 1 : 0,
    dflt: null,
  });
  return {
    system: [
      { t: "ev", engine: "Distributed", e: "Distributed('dotorm', 'crm', 'ev_local', account_id)" },
      {
        t: "ev_local",
        engine: "ReplicatedMergeTree",
        e: "ReplicatedMergeTree('/clickhouse/tables/{shard}/crm/ev_local', '{replica}') ORDER BY (kind, id)",
      },
    ],
    tables: [{ t: "ev_local", engine: "ReplicatedMergeTree", order_by: "kind, id", pk: "kind, id" }],
    columns: [
      ...distributedColumns.map((c) => column("ev", c)),
      ...["id", "kind", "account_id", "note"].map((c) => column("ev_local", c)),
    ],
    indexes: [{ t: "ev_local", name: "idx_ev_account_id", c: "idx_ev_account_id", expr: "account_id" }],
  };
}

describe("a distributed model on a cluster", () => {
  test("sync creates the replicated local table, then the Distributed table, and indexes the local table", async () => {
    const ddl = clusterDdl();
    const statements = planSync([Event.meta], empty, ddl, { foreignKeys: false });
    expect(statements).toEqual([`${createLocal};\n${createDistributed}`, addIndex]);
    // the driver sends the pair as two requests, in order, without asking anything
    expect(await ddl.batches.expand(statements[0]!, noLookup)).toEqual([createLocal, createDistributed]);
    expect(await ddl.batches.expand(addIndex, noLookup)).toEqual([addIndex]);
  });

  test("a second sync reads the pair as one table and sends nothing; a column one side lacks is added to both", () => {
    const rows = clusterRows();
    const locals = pairsOf(rows.system, ["ev"]);
    expect([...locals]).toEqual([["ev", "ev_local"]]);
    const state = (r: ReturnType<typeof clusterRows>) =>
      schemaState({ columns: mergePairs(r.columns, locals, "both"), indexes: mergePairs(r.indexes, locals, "local") });
    expect(planSync([Event.meta], state(rows), clusterDdl(), { foreignKeys: false })).toEqual([]);
    // read without the pair (as before), the model's table would look index-less: a false change
    expect(
      planSync([Event.meta], schemaState({ columns: rows.columns, indexes: rows.indexes }), clusterDdl(), {
        foreignKeys: false,
      }),
    ).toHaveLength(1);
    // an ALTER that reached the local table but not the Distributed one: added again, IF NOT EXISTS on both
    expect(
      planSync([Event.meta], state(clusterRows(["id", "kind", "account_id"])), clusterDdl(), { foreignKeys: false }),
    ).toEqual([
      `ALTER TABLE \`ev_local\` ${on} ADD COLUMN IF NOT EXISTS \`note\` Nullable(String);\nALTER TABLE \`ev\` ${on} ADD COLUMN IF NOT EXISTS \`note\` Nullable(String)`,
    ]);
  });

  test("drift checks see no difference between the model and the pair", () => {
    const ddl = clusterDdl();
    const rows = clusterRows();
    const desired = desiredSchema([Event.meta], ddl, { foreignKeys: false });
    const actual = schemaOfRows(rows, pairsOf(rows.system));
    expect(actual.get("ev")?.engine).toBe("ReplicatedMergeTree");
    expect(actual.get("ev")?.columns.map((c) => c.name)).toEqual(["id", "kind", "account_id", "note"]);
    expect(actual.get("ev")?.indexes.map((i) => i.name)).toEqual(["idx_ev_account_id"]);
    expect(actual.has("ev_local")).toBe(false);
    expect(diffSchema(desired, actual, ddl).operations).toEqual([]);
    // read without the pair: the local table looks like a stray table to drop, and the model's index is missing
    const ops = diffSchema(desired, schemaOfRows(rows), ddl).operations.map((o) => `${o.kind} ${o.table}`);
    expect(ops).toEqual(["dropIndex ev_local", "dropTable ev_local", "addIndex ev"]);
  });

  test("migrations: createTable, addColumn, alterColumn, renameColumn, indexes and dropTable change both tables, in a safe order", async () => {
    const ddl = clusterDdl();
    const created = renderOperation(
      {
        kind: "createTable",
        table: "ev",
        columns: { kind: f.char({ maxLength: 20, required: true }), account_id: f.integer({ required: true }) },
        options: Event.meta.options,
      },
      ddl,
    );
    expect(await ddl.batches.expand(created[0]!, noLookup)).toHaveLength(2);
    const add = renderOperation({ kind: "addColumn", table: "ev", column: "score", field: f.integer() }, ddl);
    const addLocal = `ALTER TABLE \`ev_local\` ${on} ADD COLUMN IF NOT EXISTS \`score\` Nullable(Int32)`;
    const addDistributed = `ALTER TABLE \`ev\` ${on} ADD COLUMN IF NOT EXISTS \`score\` Nullable(Int32)`;
    expect(add).toEqual([`${addLocal};\n${addDistributed}`]);
    expect(await ddl.batches.expand(add[0]!, noLookup)).toEqual([addLocal, addDistributed]);
    expect(
      renderOperation({ kind: "renameColumn", table: "ev", from: "score", to: "points" }, ddl)[0]!.split(";\n"),
    ).toEqual([
      `ALTER TABLE \`ev_local\` ${on} RENAME COLUMN \`score\` TO \`points\``,
      `ALTER TABLE \`ev\` ${on} RENAME COLUMN \`score\` TO \`points\``,
    ]);
    const alter = renderOperation(
      { kind: "alterColumn", table: "ev", column: "points", from: f.integer(), to: f.bigInteger() },
      ddl,
    );
    expect(alter).toEqual([
      `ALTER TABLE \`ev_local\` ${on} MODIFY COLUMN \`points\` Nullable(Int64);\nALTER TABLE \`ev\` ${on} MODIFY COLUMN \`points\` Nullable(Int64)`,
    ]);
    // removals go through the Distributed table first, so it never names what the shards lack
    expect(
      renderOperation({ kind: "dropColumn", table: "ev", column: "points", field: f.bigInteger() }, ddl)[0]!.split(
        ";\n",
      ),
    ).toEqual([
      `ALTER TABLE \`ev\` ${on} DROP COLUMN \`points\``,
      `ALTER TABLE \`ev_local\` ${on} DROP COLUMN \`points\``,
    ]);
    expect(
      renderOperation({ kind: "addIndex", table: "ev", name: "idx_ev_kind", columns: ["kind"], unique: false }, ddl),
    ).toEqual([
      `ALTER TABLE \`ev_local\` ${on} ADD INDEX IF NOT EXISTS \`idx_ev_kind\` (\`kind\`) TYPE bloom_filter GRANULARITY 4`,
    ]);
    expect(
      renderOperation({ kind: "dropIndex", table: "ev", name: "idx_ev_kind", columns: ["kind"], unique: false }, ddl),
    ).toEqual([`ALTER TABLE \`ev_local\` ${on} DROP INDEX \`idx_ev_kind\``]);
    const drop = renderOperation({ kind: "dropTable", table: "ev", columns: {} }, ddl);
    expect(await ddl.batches.expand(drop[0]!, noLookup)).toEqual([
      `DROP TABLE \`ev\` ${on} SYNC`,
      `DROP TABLE \`ev_local\` ${on} SYNC`,
    ]);
  });

  test("a migration on a table this process has no model for: the driver asks its engine, then runs the pair or the one statement", async () => {
    const ddl = clusterDdl();
    const [add] = renderOperation({ kind: "addColumn", table: "ev", column: "score", field: f.integer() }, ddl);
    expect(add).toBe(`ALTER TABLE \`ev\` ${on} ADD COLUMN IF NOT EXISTS \`score\` Nullable(Int32)`);
    const asked: string[] = [];
    const engine = (name: string) => async (table: string) => {
      asked.push(table);
      return name;
    };
    expect(await ddl.batches.expand(add!, engine("Distributed"))).toEqual([
      `ALTER TABLE \`ev_local\` ${on} ADD COLUMN IF NOT EXISTS \`score\` Nullable(Int32)`,
      add,
    ]);
    expect(await ddl.batches.expand(add!, engine("ReplicatedMergeTree"))).toEqual([add]);
    expect(asked).toEqual(["ev", "ev"]);
    const [drop] = renderOperation({ kind: "dropTable", table: "ev", columns: {} }, ddl);
    expect(await ddl.batches.expand(drop!, engine("Distributed"))).toEqual([
      `DROP TABLE \`ev\` ${on} SYNC`,
      `DROP TABLE \`ev_local\` ${on} SYNC`,
    ]);
  });

  test("updates and deletes run on the local table ON CLUSTER, on the ids read through the Distributed table", () => {
    const ch = new ClickHouseCompiler(100_000, "dotorm");
    const m = Event.meta;
    const update = ch.compile({
      kind: "update",
      model: m,
      set: [[m.fields.get("note")!, "x"]],
      where: parseFilter(m, [["account_id", "=", 5]]),
    });
    expect(update).toEqual({
      sql: `ALTER TABLE \`ev_local\` ${on} UPDATE \`note\` = {p0:String} WHERE \`id\` IN {p2:Array(Int64)}`,
      params: { p0: "x", p1: 5, p2: [] },
      kind: "update",
      ids: { sql: "SELECT t0.`id` AS `id` FROM `ev` t0 WHERE t0.`account_id` = {p1:Int32}", param: "p2" },
    } satisfies ClickHouseStatement);
    const del = ch.compile({ kind: "delete", model: m, where: parseFilter(m, [["kind", "=", "a"]]) });
    expect(del.sql).toBe(`ALTER TABLE \`ev_local\` ${on} DELETE WHERE \`id\` IN {p1:Array(Int64)}`);
    expect(del.ids).toEqual({ sql: "SELECT t0.`id` AS `id` FROM `ev` t0 WHERE t0.`kind` = {p0:String}", param: "p1" });
    // reads and inserts name the Distributed table (the model's)
    expect(ch.compile({ kind: "count", model: m }).sql).toBe("SELECT COUNT(*) AS `n` FROM `ev` t0");
    // a model that is not distributed, or no cluster: lightweight statements on the table itself
    expect(
      ch.compile({ kind: "delete", model: Plain.meta, where: parseFilter(Plain.meta, [["name", "=", "a"]]) }).sql,
    ).toBe("DELETE FROM `pl` WHERE `id` IN (SELECT t0.`id` FROM `pl` t0 WHERE t0.`name` = {p0:String})");
    expect(new ClickHouseCompiler().compile({ kind: "delete", model: m }).sql).toBe("DELETE FROM `ev` WHERE 1");
  });

  test("a distributed model with a declared uuid key: both tables and the shard mutation's ids take the key's type", () => {
    const Visit = model(
      "vi",
      { id: f.uuid({ primaryKey: true, default: "uuid7" }), page: f.char({ maxLength: 50, required: true }) },
      { clickhouse: { orderBy: ["page", "id"], distributed: { shardingKey: "cityHash64(id)" } } },
    );
    const [create] = planSync([Visit.meta], empty, clusterDdl(), { foreignKeys: false });
    expect(create).toBe(
      [
        `CREATE TABLE IF NOT EXISTS \`vi_local\` ${on} (\`id\` UUID, \`page\` String) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/vi_local', '{replica}') ORDER BY (\`page\`, \`id\`) ${settings}`,
        `CREATE TABLE IF NOT EXISTS \`vi\` ${on} (\`id\` UUID, \`page\` String) ENGINE = Distributed('dotorm', 'crm', 'vi_local', cityHash64(id))`,
      ].join(";\n"),
    );
    const del = new ClickHouseCompiler(100_000, "dotorm").compile({
      kind: "delete",
      model: Visit.meta,
      where: parseFilter(Visit.meta, [["page", "=", "/"]]),
    });
    expect(del.sql).toBe(`ALTER TABLE \`vi_local\` ${on} DELETE WHERE \`id\` IN {p1:Array(UUID)}`);
  });

  test("without a cluster the option is ignored (one MergeTree table), and a bad sharding key is refused", () => {
    const ddl = new ClickHouseDdl();
    expect(ddl.createTable(Event.meta)).toBe(
      `CREATE TABLE IF NOT EXISTS \`ev\` ${cols} ENGINE = MergeTree ORDER BY (\`kind\`, \`id\`) ${settings}`,
    );
    expect(ddl.dropTable("ev")).toBe("DROP TABLE `ev`");
    const Bad = model("bad", { n: f.integer() }, { clickhouse: { distributed: { shardingKey: "" } } });
    expect(() => clusterDdl().createTable(Bad.meta)).toThrow(ConfigurationError);
    expect(() => clusterDdl().checkModel(Bad.meta)).toThrow(/bad: clickhouse.distributed.shardingKey/);
  });
});

describe("id leasing on a cluster", () => {
  test("one replicated claims table for every node, quorum inserts, sequentially consistent reads", () => {
    const sql = claimsSql({ cluster: "dotorm" });
    expect(sql.create).toBe(
      "CREATE TABLE IF NOT EXISTS `_dotorm_id_claims` ON CLUSTER `dotorm` (seq UInt64, lo UInt64, hi UInt64, owner String, at DateTime64(3, 'UTC') DEFAULT now64(3)) " +
        "ENGINE = ReplicatedMergeTree('/clickhouse/tables/dotorm_id_claims/{database}', '{shard}-{replica}') ORDER BY seq " +
        "SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800",
    );
    expect(sql.head).toBe(
      "SELECT max(seq) AS seq, max(hi) AS hi, toUnixTimestamp64Milli(now64(3)) AS now FROM `_dotorm_id_claims` SETTINGS select_sequential_consistency = 1",
    );
    expect(sql.read(7)).toBe(
      "SELECT seq, lo, hi, owner FROM `_dotorm_id_claims` WHERE seq = 7 SETTINGS select_sequential_consistency = 1",
    );
    expect(sql.insert({ seq: 7, lo: 4096, hi: 8192, owner: "0f-aa" })).toBe(
      "INSERT INTO `_dotorm_id_claims` (seq, lo, hi, owner) SETTINGS insert_deduplicate = 1, insert_deduplication_token = 'dotorm-id-claim-7', async_insert = 0, " +
        "insert_quorum = 'auto', insert_quorum_parallel = 0 VALUES (7, 4096, 8192, '0f-aa')",
    );
  });

  test("one server and chDB keep the plain MergeTree claims table", () => {
    const sql = claimsSql();
    expect(sql.create).toBe(
      "CREATE TABLE IF NOT EXISTS `_dotorm_id_claims` (seq UInt64, lo UInt64, hi UInt64, owner String, at DateTime64(3, 'UTC') DEFAULT now64(3)) ENGINE = MergeTree ORDER BY seq SETTINGS non_replicated_deduplication_window = 10000",
    );
    expect(sql.read(7)).toBe("SELECT seq, lo, hi, owner FROM `_dotorm_id_claims` WHERE seq = 7");
    expect(sql.insert({ seq: 7, lo: 1, hi: 2, owner: "x'); DROP" })).toBe(
      "INSERT INTO `_dotorm_id_claims` (seq, lo, hi, owner) SETTINGS insert_deduplicate = 1, insert_deduplication_token = 'dotorm-id-claim-7', async_insert = 0 VALUES (7, 1, 2, 'x\\'); DROP')",
    );
  });
});

describe("docker-compose's cluster profile matches the DDL", () => {
  const dir = new URL("../../../tooling/clickhouse-cluster/", import.meta.url);
  const read = (file: string) => readFileSync(new URL(file, dir), "utf8");
  const all = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]!);

  test("cluster dotorm: two shards of two replicas, each node's {shard}/{replica} macros matching its place, one Keeper", () => {
    const cluster = read("cluster.xml");
    expect(all(cluster, /<remote_servers>\s*<([a-z_]+)>/g)).toEqual(["dotorm"]);
    const shards = all(cluster, /<shard>([\s\S]*?)<\/shard>/g).map((s) => all(s, /<host>([^<]+)<\/host>/g));
    expect(shards).toEqual([
      ["ch-s1r1", "ch-s1r2"],
      ["ch-s2r1", "ch-s2r2"],
    ]);
    // replicated tables behind a Distributed table: the Distributed engine writes to one replica per shard
    expect(all(cluster, /<internal_replication>([^<]+)</g)).toEqual(["true", "true"]);
    const replicas = new Set<string>();
    shards.forEach((hosts, i) => {
      for (const host of hosts) {
        const macros = read(`macros-${host.replace("ch-", "")}.xml`);
        expect(all(macros, /<shard>([^<]+)</g)).toEqual([String(i + 1)]);
        replicas.add(`${i + 1}-${all(macros, /<replica>([^<]+)</g)[0]}`);
      }
    });
    // '{shard}-{replica}' (the claims table's replica name) is unique across the cluster
    expect(replicas.size).toBe(4);
    const keeper = read("keeper.xml");
    const [host, port] = [
      all(cluster, /<zookeeper>\s*<node>\s*<host>([^<]+)</g)[0],
      all(cluster, /<zookeeper>[\s\S]*?<port>([^<]+)</g)[0],
    ];
    expect([host, port]).toEqual([all(keeper, /<hostname>([^<]+)</g)[0], all(keeper, /<tcp_port>([^<]+)</g)[0]]);
    const compose = readFileSync(new URL("../../../docker-compose.yml", import.meta.url), "utf8");
    for (const h of ["ch-keeper", "ch-s1r1", "ch-s1r2", "ch-s2r1", "ch-s2r2"])
      expect(compose).toContain(`hostname: ${h}`);
  });
});
