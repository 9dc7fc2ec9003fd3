import { describe, expect, test } from "vitest";
import { ConfigurationError, connect, f, model } from "../src/index.js";
import type { Adapter } from "../src/index.js";

describe("model options connect refuses", () => {
  test("a table in another database is refused at connect, not silently queried in the default one", async () => {
    const Elsewhere = model("elsewhere", { name: f.char() }, { database: "analytics" });
    // connect() checks the models before touching the adapter, so no database is needed to see the refusal
    await expect(connect({} as Adapter, { models: [Elsewhere] })).rejects.toBeInstanceOf(ConfigurationError);
  });
});
