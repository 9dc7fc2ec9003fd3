import { describe, expect, test } from "vitest";
import { ConfigurationError, f, model } from "../src/index.js";

/** Builds the model's metadata (where its fields are checked), whenever that happens. */
function build(fields: Record<string, ReturnType<typeof f.char>>): unknown {
  return model("named", fields).meta;
}

describe("field names", () => {
  test.each(["__proto__", "constructor", "prototype", "has space", "1st", "a-b", ""])(
    "%j is refused with a ConfigurationError naming it",
    (name) => {
      const fields: Record<string, ReturnType<typeof f.char>> = {};
      Object.defineProperty(fields, name, { value: f.char(), enumerable: true });
      let error: unknown;
      try {
        build(fields);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain(JSON.stringify(name));
    },
  );

  test("a plain identifier is accepted, and the column option still renames the column only", () => {
    const meta = model("named_ok", { _title2: f.char({ column: "title_col" }) }).meta;
    expect(meta.fields.get("_title2")?.column).toBe("title_col");
  });
});
