import { describe, expect, test } from "vitest";
import {
  type SchemaOperation,
  canonicalDefault,
  destructiveReason,
  f,
  fieldSource,
  inverseOf,
  operationSource,
  ref,
} from "../src/index.js";

const ops: SchemaOperation[] = [
  {
    kind: "createTable",
    table: "leads",
    columns: { name: f.char({ maxLength: 80, required: true }), partner_id: ref("partners") },
  },
  { kind: "dropTable", table: "leads", columns: { name: f.text() } },
  { kind: "addColumn", table: "leads", column: "probability", field: f.integer() },
  { kind: "dropColumn", table: "leads", column: "notes", field: f.text() },
  { kind: "renameColumn", table: "leads", from: "title", to: "subject" },
  { kind: "alterColumn", table: "leads", column: "amount", from: f.integer(), to: f.bigInteger({ required: true }) },
  { kind: "addIndex", table: "leads", name: "idx_leads_a", columns: ["a"], unique: false },
  { kind: "dropIndex", table: "leads", name: "uq_leads_b", columns: ["b"], unique: true },
  { kind: "addForeignKey", table: "leads", name: "fk_leads_p", column: "p", refTable: "partners", onDelete: "cascade" },
  {
    kind: "dropForeignKey",
    table: "leads",
    name: "fk_leads_q",
    column: "q",
    refTable: "partners",
    onDelete: "set null",
  },
  { kind: "createLinkTable", table: "leads_tags_rel", column1: "leads_id", column2: "tags_id" },
  { kind: "dropLinkTable", table: "leads_tags_rel", column1: "leads_id", column2: "tags_id" },
];

describe("migration operations", () => {
  test("each inverse undoes exactly: the inverse of the inverse is the operation, and it differs from it", () => {
    for (const op of ops) {
      expect(inverseOf(inverseOf(op))).toEqual(op);
      expect(inverseOf(op)).not.toEqual(op);
    }
  });

  test("drops and narrowing type changes are destructive; widening ones are not", () => {
    const alter = (from: ReturnType<typeof f.integer>, to: ReturnType<typeof f.integer>) =>
      destructiveReason({ kind: "alterColumn", table: "t", column: "c", from, to });
    expect(ops.map((op) => destructiveReason(op) !== undefined)).toEqual([
      false,
      true,
      false,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(alter(f.char({ maxLength: 50 }), f.char({ maxLength: 80 }))).toBeUndefined();
    expect(alter(f.char({ maxLength: 80 }), f.char({ maxLength: 50 }))).toMatch(/narrower/);
    expect(alter(f.char(), f.text())).toBeUndefined();
    expect(alter(f.bigInteger(), f.integer())).toMatch(/t\.c/);
    expect(alter(f.decimal({ precision: 10, scale: 2 }), f.decimal({ precision: 12, scale: 2 }))).toBeUndefined();
    expect(alter(f.decimal({ precision: 10, scale: 4 }), f.decimal({ precision: 10, scale: 2 }))).toMatch(/narrower/);
    expect(alter(f.text(), f.integer())).toMatch(/different integer/);
  });

  test("defaults as PostgreSQL, MariaDB and ClickHouse report them compare equal to the DDL's", () => {
    expect(canonicalDefault("'new'::character varying")).toBe(canonicalDefault(" DEFAULT 'new'"));
    expect(canonicalDefault("('new')")).toBe("'new'");
    expect(canonicalDefault("'-7'::integer")).toBe("-7");
    expect(canonicalDefault("1.50")).toBe("1.5");
    expect(canonicalDefault("true")).toBe(canonicalDefault("1"));
    expect(canonicalDefault("current_timestamp(6)")).toBe(canonicalDefault("CURRENT_TIMESTAMP(6)"));
    expect(canonicalDefault("curdate()")).toBe(canonicalDefault("(CURRENT_DATE)"));
    expect(canonicalDefault("NULL")).toBeNull();
    expect(canonicalDefault("NULL::character varying")).toBeNull();
    expect(canonicalDefault("'a'")).not.toBe(canonicalDefault("'b'"));
  });

  test("operations read as db.schema calls", () => {
    expect(fieldSource(f.char({ maxLength: 80, required: true }))).toBe("f.char({ maxLength: 80, required: true })");
    expect(fieldSource(ref("partners", { required: true }))).toBe('ref("partners", { required: true })');
    expect(ops.slice(2, 6).map(operationSource)).toEqual([
      'db.schema.addColumn("leads", "probability", f.integer())',
      'db.schema.dropColumn("leads", "notes")',
      'db.schema.renameColumn("leads", "title", "subject")',
      'db.schema.alterColumn("leads", "amount", f.bigInteger({ required: true }), { from: f.integer() })',
    ]);
  });
});
