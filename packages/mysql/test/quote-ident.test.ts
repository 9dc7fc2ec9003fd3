import { expect, test } from "vitest";
import { MysqlCompiler, MysqlDdl } from "../src/index.js";

test("statements and DDL quote a name the same way, an inner backtick doubled", () => {
  const [sql, ddl] = [new MysqlCompiler(), new MysqlDdl()];
  for (const name of ["chats", "a`b", "``", "x\\y", "sélection"]) expect(ddl.quote(name)).toBe(sql.quote(name));
  expect(sql.quote("a`b")).toBe("`a``b`");
});
