import { f, model } from "@dotorm/core";
import { describe, expect, test } from "vitest";
import { valuesSchema } from "../src/write-schemas.js";

const Doc = model("ws_docs", { name: f.char({ maxLength: 40, required: true }), content: f.binary() });

describe("binary values in request bodies", () => {
  const schema = valuesSchema(Doc.meta, "create");

  test("megabytes of base64 are checked in linear time (no regex stack overflow) and decoded", () => {
    const bytes = Buffer.alloc(8 * 1024 * 1024 + 1, 7);
    const parsed = schema.safeParse({ name: "big", content: bytes.toString("base64") });
    expect(parsed.success).toBe(true);
    expect((parsed.data as { content: Buffer }).content.equals(bytes)).toBe(true);
  });

  test("text that is not base64 is refused, naming the field", () => {
    for (const bad of ["abc", "ab=c", "a===", "ab!d", "YWJj\n"]) {
      const parsed = schema.safeParse({ name: "x", content: bad });
      expect(parsed.success, bad).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(["content"]);
    }
  });
});
