import type { DdlCompiler } from "../sql/ddl-compiler.js";
import { columnMeta, tableMeta, tableStub } from "./column-field.js";
import type { Operation } from "./operations.js";

/**
 * The SQL statements of one operation in the adapter's dialect (every dialect difference lives in
 * its DDL compiler's overrides).
 *
 * @example
 * renderOperation({ kind: "addColumn", table: "leads", column: "probability", field: f.integer() }, adapter.ddl)
 * // ['ALTER TABLE "leads" ADD COLUMN "probability" INTEGER']
 */
export function renderOperation(op: Operation, ddl: DdlCompiler): string[] {
  switch (op.kind) {
    case "createTable": {
      const meta = tableMeta(op.table, op.columns, op.options);
      ddl.checkModel(meta);
      return [ddl.createTable(meta)];
    }
    case "dropTable":
    case "dropLinkTable":
      return [ddl.dropTable(op.table)];
    case "addColumn":
      return [ddl.addColumnStrict(op.table, columnMeta(op.table, op.column, op.field))];
    case "dropColumn":
      return [ddl.dropColumn(op.table, op.column)];
    case "renameColumn":
      return [ddl.renameColumn(op.table, op.from, op.to)];
    case "alterColumn":
      return ddl.alterColumn(
        op.table,
        columnMeta(op.table, op.column, op.from),
        columnMeta(op.table, op.column, op.to),
      );
    case "addIndex":
      return [ddl.createIndex(op.name, op.table, op.columns, op.unique)];
    case "dropIndex":
      return [ddl.dropIndex(op.name, op.table)];
    case "addForeignKey":
      return [ddl.addForeignKey(op.name, op.table, op.column, op.refTable, op.onDelete)];
    case "dropForeignKey":
      return [ddl.dropForeignKey(op.name, op.table)];
    case "createLinkTable": {
      const [owner, target] = [tableStub(op.table, op.key1).meta, tableStub(op.table, op.key2).meta];
      return [ddl.createLinkTable({ table: op.table, column1: op.column1, column2: op.column2, owner, target })];
    }
  }
}
