import { describe, expect, test } from "vitest";
import { parseFilter } from "../src/query/parse-filter.js";
import { planRead } from "../src/query/plan-read.js";
import { SqlCompiler } from "../src/sql/sql-compiler.js";
import { statementKind } from "../src/sql/statement.js";
import { chat, field, thing } from "./fixtures.js";

// The statement contract: every compiled statement says what it does, so drivers never read it
// off the SQL text, and an INSERT whose ids the caller reads says how many rows it has.
const compiler = new SqlCompiler();

describe("the statement contract", () => {
  test("reads, counts and aggregates are selects; writes name themselves; unlink is a delete", async () => {
    expect(compiler.compile(planRead(chat, {})).kind).toBe("select");
    expect(compiler.compile({ kind: "count", model: chat }).kind).toBe("select");
    expect(
      compiler.compile({
        kind: "update",
        model: thing,
        set: [[field(thing, "code"), "y"]],
        where: parseFilter(thing, [["id", "=", 3]]),
      }).kind,
    ).toBe("update");
    expect(compiler.compile({ kind: "delete", model: chat }).kind).toBe("delete");
    expect(
      compiler.compile({
        kind: "unlink",
        table: "user_roles",
        ownerColumn: "user_id",
        targetColumn: "role_id",
        owners: [1],
      }).kind,
    ).toBe("delete");
    expect(statementKind("aggregate")).toBe("select");
  });

  test("an INSERT that returns ids carries its row count; a link insert does not", () => {
    const insert = compiler.compile({
      kind: "insert",
      table: "things",
      columns: [],
      rows: [[], [], []],
      returningId: true,
    });
    expect(insert).toMatchObject({ kind: "insert", generatedIds: 3 });
    const link = compiler.compile({
      kind: "insert",
      table: "user_roles",
      columns: [{ name: "user_id" }, { name: "role_id" }],
      rows: [[1, 2]],
      returningId: false,
      ignoreConflicts: true,
    });
    expect(link.kind).toBe("insert");
    expect(link.generatedIds).toBeUndefined();
    // the base compiler renders every row into the SQL: no bulk rows sent apart
    expect(link.bulk).toBeUndefined();
  });
});
