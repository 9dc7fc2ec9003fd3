import { expect, test } from "vitest";
import { ClickHouseCompiler, ClickHouseDdl } from "../src/index.js";

test("statements and DDL quote a name the same way, backslash and backtick escaped", () => {
  const [sql, ddl] = [new ClickHouseCompiler(), new ClickHouseDdl()];
  for (const name of ["events", "a`b", "x\\y", "\\`", "sélection"]) expect(ddl.quote(name)).toBe(sql.quote(name));
  expect(sql.quote("a`b\\")).toBe("`a\\`b\\\\`");
});
