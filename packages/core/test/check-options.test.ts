import { describe, expect, test } from "vitest";
import { ConfigurationError } from "../src/errors.js";
import { checkOptions, closestName, option } from "../src/run/check-options.js";

const spec = {
  url: option.url(["postgres"], "postgres://localhost/db"),
  max: option.integer(1, 10),
  acquireTimeout: option.ms(),
  keepAlive: option.boolean(),
  mode: option.oneOf(["a", "b"]),
  schema: option.identifier(),
  settings: option.record(),
};

const problem = (options: unknown) => {
  try {
    checkOptions("demo", options, spec);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigurationError);
    return (e as Error).message;
  }
  return undefined;
};

describe("checkOptions names the function, the option and what is wrong", () => {
  test.each([
    [{ url: "nope" }, 'demo({ url }): "nope" is not a URL; expected a URL like postgres://localhost/db'],
    [
      { url: "http://x" },
      'demo({ url }): "http://x" has the scheme "http:", expected postgres:// (postgres://localhost/db)',
    ],
    [{ max: 11 }, "demo({ max }): must be a whole number from 1 to 10, got 11"],
    [{ max: Number.NaN }, "demo({ max }): must be a whole number from 1 to 10, got null"],
    [
      { acquireTimeout: -1 },
      "demo({ acquireTimeout }): must be a whole number of milliseconds (0 for no limit) from 0 to 2147483647, got -1",
    ],
    [{ keepAlive: 1 }, "demo({ keepAlive }): must be true or false, got 1"],
    [{ mode: "c" }, 'demo({ mode }): must be one of "a", "b", got "c"'],
    [
      { schema: "1abc" },
      'demo({ schema }): must be a plain identifier (letters, digits and _, at most 63), got "1abc"',
    ],
    [{ settings: [] }, "demo({ settings }): must be an object, got []"],
    [
      { mxa: 1 },
      "demo({ mxa }): unknown option; did you mean max? (demo() takes url, max, acquireTimeout, keepAlive, mode, schema, settings)",
    ],
    [
      { zzzzzz: 1 },
      "demo({ zzzzzz }): unknown option (demo() takes url, max, acquireTimeout, keepAlive, mode, schema, settings)",
    ],
    [null, "demo() takes an options object, got null"],
    [[1], "demo() takes an options object, got [1]"],
  ])("%j", (options, message) => {
    expect(problem(options)).toBe(message);
  });

  test("valid and undefined values pass", () => {
    expect(problem(undefined)).toBeUndefined();
    expect(
      problem({
        url: "postgres://u:p@h:5432/d",
        max: 10,
        acquireTimeout: 0,
        keepAlive: false,
        mode: "a",
        schema: "s_1",
        settings: {},
        mode2: undefined,
      }),
    ).toMatch(/mode2/);
    expect(problem({ url: undefined, max: undefined })).toBeUndefined();
  });
});

describe("closestName", () => {
  test.each([
    ["maxx", "max"],
    ["acquireTimeOut", "acquireTimeout"],
    ["keepalive", "keepAlive"],
    ["shcema", "schema"],
    ["connectTimeout", "connectTimeoutMillis"],
    ["host", undefined],
    ["x", undefined],
  ])("%s -> %s", (name, expected) => {
    expect(closestName(name, ["max", "acquireTimeout", "keepAlive", "schema", "connectTimeoutMillis", "url"])).toBe(
      expected,
    );
  });
});
