import { describe, expectTypeOf, test } from "vitest";
import { model } from "../src/define/model.js";
import { f } from "../src/model/f.js";
import type { ModelOptions, TableOptions } from "../src/model/model-meta.js";

// Core declares no adapter's table options: `clickhouse` is declared by @dotorm/clickhouse (module
// augmentation), which this program does not import.
describe("adapter table options", () => {
  test("a core-only program cannot pass `clickhouse` (the adapter declares it)", () => {
    const Event = model(
      "ao_events",
      { kind: f.char({ maxLength: 20, required: true }) },
      // @ts-expect-error the key belongs to @dotorm/clickhouse
      { clickhouse: { orderBy: ["kind"] } },
    );
    expectTypeOf(Event.meta.options).toEqualTypeOf<ModelOptions>();
  });

  test("TableOptions holds only the adapter-declared keys (none here)", () => {
    expectTypeOf<keyof TableOptions>().toEqualTypeOf<never>();
    expectTypeOf<"indexes">().toExtend<keyof ModelOptions>();
  });
});
