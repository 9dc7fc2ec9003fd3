import { describe, expect, test } from "vitest";
import { constraintName } from "../src/sql/constraint-name.js";

describe("constraintName", () => {
  test("prefix, table and columns joined by underscores", () => {
    expect(constraintName("idx", "chat_messages", ["chat_id"])).toBe("idx_chat_messages_chat_id");
    expect(constraintName("uq", "users", ["login"])).toBe("uq_users_login");
    expect(constraintName("fk", "t", ["a", "b"])).toBe("fk_t_a_b");
  });

  test("up to 63 characters (PostgreSQL's identifier limit) the name is kept as is", () => {
    const table = "t".repeat(56); // "idx_" + 56 + "_cc" = 63
    expect(constraintName("idx", table, ["cc"])).toBe(`idx_${table}_cc`);
    expect(constraintName("idx", table, ["ccc"])).toMatch(/^idx_t{50}_[0-9a-f]{8}$/);
  });

  test("longer names keep their first 54 characters plus _ and an 8-hex-digit hash: 63, deterministic, distinct", () => {
    const table = "a_table_with_a_rather_long_name_for_this_purpose";
    const full = `idx_${table}_first_long_column_second_long_column`;
    const one = constraintName("idx", table, ["first_long_column", "second_long_column"]);
    expect(one).toHaveLength(63);
    expect(one.slice(0, 54)).toBe(full.slice(0, 54));
    expect(one.slice(54)).toMatch(/^_[0-9a-f]{8}$/);
    expect(constraintName("idx", table, ["first_long_column", "second_long_column"])).toBe(one);
    // one more character at the end: same cut prefix, but the hash keeps the two apart
    const two = constraintName("idx", table, ["first_long_column", "second_long_columns"]);
    expect(two.slice(0, 54)).toBe(one.slice(0, 54));
    expect(two).not.toBe(one);
  });
});
