import { type ClickHouseClient, createClient } from "@clickhouse/client";
import { f, model, parseFilter } from "@dotorm/core";
import { createChdbConnection } from "chdb/connection";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ClickHouseCompiler, ClickHouseDriver, DdlBatches } from "../src/index.js";

// What the driver does with a cluster's statements, run on chDB: chDB has no cluster, so the
// `ON CLUSTER` clause is taken out and a view over the local table stands in for the Distributed
// table (both are read the same way). Everything else is the statement a cluster receives.

type Conn = NonNullable<Parameters<typeof createClient>[0]>["connection"];
const database = `dotorm_cluster_driver_${process.pid}`;
let client: ClickHouseClient;
/** Statements the driver sent as commands, one per request. */
const commands: string[] = [];

beforeAll(async () => {
  client = createClient({ connection: createChdbConnection({ path: ":memory:" }) as unknown as Conn });
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS \`${database}\`` });
  await client.command({ query: `USE \`${database}\`` });
  const command = client.command.bind(client);
  client.command = (params) => {
    commands.push(params.query);
    return command(params);
  };
});
afterAll(async () => {
  await client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
  await client.close();
});

const names = async (sql: string) =>
  (await (await client.query({ query: sql, format: "JSONEachRow" })).json<{ name: string }>()).map((r) => r.name);

describe("statement groups", () => {
  test("a group is sent as one request per statement, in order", async () => {
    const batches = new DdlBatches();
    const driver = new ClickHouseDriver(Promise.resolve(client), { streams: false, batches });
    const parts = [
      "CREATE TABLE g_local (id Int64) ENGINE = MergeTree ORDER BY id",
      "CREATE VIEW g AS SELECT * FROM g_local",
    ];
    commands.length = 0;
    await driver.execute({ sql: batches.join(parts), params: {} });
    expect(commands).toEqual(parts);
    expect(
      await names("SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'g%' ORDER BY name"),
    ).toEqual(["g", "g_local"]);
  });

  test("a probe on a table that is not Distributed sends the one statement; unknown text is sent as it is", async () => {
    const batches = new DdlBatches();
    const driver = new ClickHouseDriver(Promise.resolve(client), { streams: false, batches });
    await client.command({ query: "CREATE TABLE p (id Int64) ENGINE = MergeTree ORDER BY id" });
    const plain = batches.probe("ALTER TABLE p ADD COLUMN IF NOT EXISTS n Int32", "p", [
      "ALTER TABLE p_local ADD COLUMN n Int32",
      "ALTER TABLE p ADD COLUMN n Int32",
    ]);
    commands.length = 0;
    await driver.execute({ sql: plain, params: {} });
    await driver.execute({ sql: "ALTER TABLE p ADD COLUMN IF NOT EXISTS m Int32", params: {} });
    expect(commands).toEqual([plain, "ALTER TABLE p ADD COLUMN IF NOT EXISTS m Int32"]);
    expect(
      await names(
        "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'p' ORDER BY position",
      ),
    ).toEqual(["id", "n", "m"]);
  });
});

describe("mutations of a distributed model", () => {
  const Ev = model(
    "ev",
    { account_id: f.integer({ required: true }), note: f.text() },
    { clickhouse: { distributed: { shardingKey: "account_id" } } },
  );
  const ch = new ClickHouseCompiler(100_000, "dotorm");
  const local = <S extends { sql: string }>(s: S): S => ({ ...s, sql: s.sql.replace(" ON CLUSTER `dotorm`", "") });
  const driver = () => new ClickHouseDriver(Promise.resolve(client), { streams: false });
  const notes = async () =>
    (
      await (
        await client.query({ query: "SELECT id, note FROM ev ORDER BY id", format: "JSONEachRow" })
      ).json<{ id: number; note: string | null }>()
    ).map((r) => `${r.id}:${r.note}`);

  beforeAll(async () => {
    await client.command({
      query: "CREATE TABLE ev_local (id Int64, account_id Int32, note Nullable(String)) ENGINE = MergeTree ORDER BY id",
    });
    await client.command({ query: "CREATE VIEW ev AS SELECT * FROM ev_local" });
    await client.command({ query: "INSERT INTO ev_local VALUES (1, 5, 'a'), (2, 5, 'b'), (3, 6, 'c')" });
  });

  test("an update binds the ids read through the Distributed table and is visible when it returns", async () => {
    const m = Ev.meta;
    const update = ch.compile({
      kind: "update",
      model: m,
      set: [[m.fields.get("note")!, "x"]],
      where: parseFilter(m, [["account_id", "=", 5]]),
    });
    expect(await driver().execute(local(update))).toEqual({ rows: [], affected: 2 });
    expect(await notes()).toEqual(["1:x", "2:x", "3:c"]);
  });

  test("a delete likewise; a filter matching nothing sends no mutation", async () => {
    const m = Ev.meta;
    commands.length = 0;
    expect(
      await driver().execute(
        local(ch.compile({ kind: "delete", model: m, where: parseFilter(m, [["account_id", "=", 99]]) })),
      ),
    ).toEqual({ rows: [], affected: 0 });
    expect(commands).toEqual([]);
    expect(
      await driver().execute(
        local(ch.compile({ kind: "delete", model: m, where: parseFilter(m, [["note", "=", "x"]]) })),
      ),
    ).toEqual({ rows: [], affected: 2 });
    expect(commands).toEqual(["ALTER TABLE `ev_local` DELETE WHERE `id` IN {p1:Array(Int64)}"]);
    expect(await notes()).toEqual(["3:c"]);
  });
});
