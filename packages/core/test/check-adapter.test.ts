import { describe, expect, test } from "vitest";
import { ConfigurationError } from "../src/errors.js";
import { f } from "../src/model/f.js";
import { model } from "../src/define/model.js";
import { connect } from "../src/run/connect.js";

const Thing = model("check_adapter_things", { label: f.text() });

describe("connect refuses what is not an adapter, before any statement", () => {
  test.each([
    null,
    42,
    "postgres://x",
    {},
    { compiler: {} },
    { compiler: { compile: "x" } },
    JSON.parse('{"__proto__": {"compiler": 1}}'),
  ])("%j", async (bad) => {
    const err = await connect(bad as never, { models: [Thing] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toMatch(/^connect\(\) takes an adapter/);
  });
});
