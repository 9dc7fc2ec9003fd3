import { expect, test } from "vitest";
import { DdlCompiler, SqlCompiler } from "../src/index.js";

class PlainDdl extends DdlCompiler {
  idColumn(): string {
    return '"id" SERIAL PRIMARY KEY';
  }
  columnType(): string {
    return "TEXT";
  }
}

test("the standard compilers quote a name the same way (ANSI, an inner quote doubled)", () => {
  const [sql, ddl] = [new SqlCompiler(), new PlainDdl()];
  for (const name of ["chats", 'a"b', '""', "sélection"]) expect(ddl.quote(name)).toBe(sql.quote(name));
  expect(ddl.quote('a"b')).toBe('"a""b"');
});
