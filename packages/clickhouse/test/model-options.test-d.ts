import { type ModelOptions, f, model } from "@dotorm/core";
import { describe, expectTypeOf, test } from "vitest";
import type { ClickHouseModelOptions } from "../src/index.js";

// Importing @dotorm/clickhouse declares `clickhouse` on core's ModelOptions (module augmentation).
describe("ModelOptions.clickhouse", () => {
  test("every ClickHouse table option type-checks on a model", () => {
    const options = {
      orderBy: ["kind", "id"],
      partitionBy: "toYYYYMM(at)",
      engine: "ReplacingMergeTree",
      ttl: "at + INTERVAL 1 YEAR",
      distributed: { shardingKey: "id" },
    } as const;
    const Event = model(
      "mo_events",
      { kind: f.char({ maxLength: 20, required: true }), at: f.datetime({ required: true }) },
      { clickhouse: options },
    );
    expectTypeOf(Event.meta.options.clickhouse).toEqualTypeOf<ClickHouseModelOptions | undefined>();
    expectTypeOf<ModelOptions["clickhouse"]>().toEqualTypeOf<ClickHouseModelOptions | undefined>();
  });

  test("option values are checked", () => {
    // @ts-expect-error orderBy is field keys or an expression
    model("mo_bad", { kind: f.char({ maxLength: 20 }) }, { clickhouse: { orderBy: 3 } });
    // @ts-expect-error distributed needs a sharding key
    model("mo_bad2", { kind: f.char({ maxLength: 20 }) }, { clickhouse: { distributed: {} } });
  });
});
