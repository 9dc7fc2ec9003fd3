import {
  type SchemaInfo,
  type TableInfo,
  UnsupportedError,
  desiredSchema,
  diffSchema,
  f,
  model,
  modelsSource,
} from "@dotorm/core";
import { describe, expect, test } from "vitest";
import { ClickHouseDdl } from "../src/index.js";

// The ClickHouse table options reach core's migrations only through the DdlCompiler hooks
// (migrationOptions, migrationOptionsOf, tableLayout, checkLayout): these pin what they produce.
const Event = model(
  "tl_events",
  { kind: f.char({ maxLength: 20, required: true, column: "event_kind" }), at: f.datetime({ required: true }) },
  { clickhouse: { orderBy: ["kind", "at", "id"], partitionBy: "toYYYYMM(at)", engine: "ReplacingMergeTree" } },
);
const Plain = model("tl_plain", { name: f.char({ maxLength: 20 }) });

const column = (name: string, type: string) => ({ name, type, nullable: false, default: null });
const table = (name: string, extra: Partial<TableInfo>): TableInfo => ({
  name,
  columns: [column("id", "Int64"), column("event_kind", "String"), column("at", "DateTime64(3, 'UTC')")],
  indexes: [],
  foreignKeys: [],
  primaryKey: ["id"],
  ...extra,
});
const schema = (...tables: TableInfo[]): SchemaInfo => new Map(tables.map((t) => [t.name, t]));

describe("ClickHouse table options in migrations", () => {
  const ddl = new ClickHouseDdl();
  const desired = desiredSchema([Event.meta, Plain.meta], ddl, { foreignKeys: false });

  test("the desired table carries the options (list keys as columns) and the layout", () => {
    const want = desired.get("tl_events")!;
    expect(want.options).toEqual({
      clickhouse: { orderBy: ["event_kind", "at", "id"], partitionBy: "toYYYYMM(at)", engine: "ReplacingMergeTree" },
    });
    expect([want.orderBy, want.engine]).toEqual([["event_kind", "at", "id"], "ReplacingMergeTree"]);
    const plain = desired.get("tl_plain")!;
    expect([plain.options, plain.orderBy, plain.engine]).toEqual([{}, ["id"], "MergeTree"]);
  });

  test("a new sorting key or engine is refused; the replicated form of the same engine is not", () => {
    const same = table("tl_events", {
      orderBy: ["event_kind", "at", "id"],
      engine: "ReplicatedReplacingMergeTree('/p', '{replica}')",
    });
    expect(diffSchema(new Map([["tl_events", desired.get("tl_events")!]]), schema(same), ddl).operations).toEqual([]);
    const rekeyed = () =>
      diffSchema(desired, schema(table("tl_events", { orderBy: ["at", "id"], engine: "ReplacingMergeTree" })), ddl);
    expect(rekeyed).toThrow(UnsupportedError);
    expect(rekeyed).toThrow(
      /tl_events: the sorting key is \(at, id\) in the database and \(event_kind, at, id\) in the model/,
    );
    const reengined = () =>
      diffSchema(
        desired,
        schema(table("tl_events", { orderBy: ["event_kind", "at", "id"], engine: "MergeTree" })),
        ddl,
      );
    expect(reengined).toThrow(/tl_events: the engine is MergeTree in the database and ReplacingMergeTree in the model/);
  });

  test("a dropped table's reverse and inspect read the options back", () => {
    const gone = table("tl_gone", { orderBy: ["event_kind", "id"], engine: "SummingMergeTree" });
    const drop = diffSchema(new Map(), schema(gone), ddl).operations.find((op) => op.kind === "dropTable");
    expect(drop && "options" in drop ? drop.options : undefined).toEqual({
      clickhouse: { orderBy: ["event_kind", "id"], engine: "SummingMergeTree" },
    });
    const byId = table("tl_by_id", { orderBy: ["id"], engine: "MergeTree" });
    expect(diffSchema(new Map(), schema(byId), ddl).operations.find((op) => op.kind === "dropTable")).toMatchObject({
      options: { clickhouse: {} },
    });
    expect(modelsSource(schema(gone), ddl)).toContain('{"clickhouse":{"orderBy":["event_kind","id"]}}');
  });
});
