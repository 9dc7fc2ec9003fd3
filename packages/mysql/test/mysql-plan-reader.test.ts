import { UnsupportedError } from "@dotorm/core";
import { describe, expect, test } from "vitest";
import { mysqlPlanReader } from "../src/mysql-plan-reader.js";

/** MySQL 8's `EXPLAIN FORMAT=JSON` shape (https://dev.mysql.com/doc/refman/8.0/en/explain-output.html), read without a server. */
const mysql8 = {
  query_block: {
    select_id: 1,
    cost_info: { query_cost: "5.25" },
    ordering_operation: {
      using_filesort: true,
      table: {
        table_name: "t0",
        access_type: "ALL",
        rows_examined_per_scan: 50,
        rows_produced_per_join: 5,
        filtered: "10.00",
        attached_condition: "(`t0`.`stage_id` = 3)",
      },
    },
  },
};

describe("mysqlPlanReader", () => {
  test("MySQL 8 refuses analyze (no JSON EXPLAIN ANALYZE); MariaDB sends ANALYZE FORMAT=JSON", () => {
    expect(() => mysqlPlanReader("mysql").statement("SELECT 1", true)).toThrow(UnsupportedError);
    expect(mysqlPlanReader("mysql").statement("SELECT 1", false)).toBe("EXPLAIN FORMAT=JSON SELECT 1");
    expect(mysqlPlanReader("mariadb").statement("SELECT 1", true)).toBe("ANALYZE FORMAT=JSON SELECT 1");
  });

  test("a MySQL 8 plan: aliases mapped back to tables, estimated rows from rows_examined_per_scan", () => {
    const sql =
      "SELECT t0.`id` FROM `leads` t0 LEFT JOIN `stages` t1 ON t1.`id` = t0.`stage_id` WHERE t0.`stage_id` = ? ORDER BY t0.`score`";
    const { root } = mysqlPlanReader("mysql").read([{ EXPLAIN: JSON.stringify(mysql8) }], sql);
    expect(root.type).toBe("query_block");
    const [ordering] = root.children;
    expect(ordering?.type).toBe("ordering_operation");
    expect(ordering?.children[0]).toMatchObject({ type: "ALL", access: "full", relation: "leads", estimatedRows: 50 });
    expect(ordering?.children[0]?.actualRows).toBeUndefined();
  });
});
