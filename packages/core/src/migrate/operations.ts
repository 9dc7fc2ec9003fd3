import type { OnDelete } from "../model/field.js";
import type { ColumnField, TableOptions } from "./column-field.js";

/**
 * One schema change, as plain data. Every operation has an exact inverse ({@link inverseOf}); those
 * that lose data are flagged by {@link destructiveReason}. Rendered to SQL by the adapter's DDL
 * compiler (`renderOperation`), written into migration files as `db.schema.*` calls.
 */
export type Operation =
  | {
      readonly kind: "createTable";
      readonly table: string;
      readonly columns: Readonly<Record<string, ColumnField>>;
      readonly options?: TableOptions;
    }
  | {
      readonly kind: "dropTable";
      readonly table: string;
      readonly columns: Readonly<Record<string, ColumnField>>;
      readonly options?: TableOptions;
    }
  | { readonly kind: "addColumn"; readonly table: string; readonly column: string; readonly field: ColumnField }
  | { readonly kind: "dropColumn"; readonly table: string; readonly column: string; readonly field: ColumnField }
  | { readonly kind: "renameColumn"; readonly table: string; readonly from: string; readonly to: string }
  | {
      readonly kind: "alterColumn";
      readonly table: string;
      readonly column: string;
      readonly from: ColumnField;
      readonly to: ColumnField;
    }
  | {
      readonly kind: "addIndex" | "dropIndex";
      readonly table: string;
      readonly name: string;
      readonly columns: readonly string[];
      readonly unique: boolean;
    }
  | {
      readonly kind: "addForeignKey" | "dropForeignKey";
      readonly table: string;
      readonly name: string;
      readonly column: string;
      readonly refTable: string;
      readonly onDelete: OnDelete;
    }
  | {
      readonly kind: "createLinkTable" | "dropLinkTable";
      readonly table: string;
      readonly column1: string;
      readonly column2: string;
      /** The declared key types the columns reference (`f.uuid()`); absent for integer identity ids. */
      readonly key1?: ColumnField;
      readonly key2?: ColumnField;
    };

/**
 * The operation that undoes `op` exactly (structure only: data a drop removed is not restored).
 *
 * @example
 * inverseOf({ kind: "renameColumn", table: "leads", from: "name", to: "title" }) // { ..., from: "title", to: "name" }
 */
export function inverseOf(op: Operation): Operation {
  switch (op.kind) {
    case "createTable":
      return { ...op, kind: "dropTable" };
    case "dropTable":
      return { ...op, kind: "createTable" };
    case "addColumn":
      return { ...op, kind: "dropColumn" };
    case "dropColumn":
      return { ...op, kind: "addColumn" };
    case "renameColumn":
      return { ...op, from: op.to, to: op.from };
    case "alterColumn":
      return { ...op, from: op.to, to: op.from };
    case "addIndex":
      return { ...op, kind: "dropIndex" };
    case "dropIndex":
      return { ...op, kind: "addIndex" };
    case "addForeignKey":
      return { ...op, kind: "dropForeignKey" };
    case "dropForeignKey":
      return { ...op, kind: "addForeignKey" };
    case "createLinkTable":
      return { ...op, kind: "dropLinkTable" };
    case "dropLinkTable":
      return { ...op, kind: "createLinkTable" };
  }
}

/** The inverse of a list of operations: each inverse, in reverse order. */
export function inverseOfAll(ops: readonly Operation[]): Operation[] {
  return [...ops].reverse().map(inverseOf);
}

const intRank: Record<string, number> = { smallInteger: 1, integer: 2, bigInteger: 3 };

/** Whether every value of `from` fits `to` unchanged. */
function widens(from: ColumnField, to: ColumnField): boolean {
  const [a, b] = [from.options as Record<string, number>, to.options as Record<string, number>];
  if (from.kind === to.kind) {
    if (from.kind === "char") return (b.maxLength ?? 255) >= (a.maxLength ?? 255);
    if (from.kind === "decimal") {
      const [p1, s1, p2, s2] = [a.precision ?? 18, a.scale ?? 2, b.precision ?? 18, b.scale ?? 2];
      return s2 >= s1 && p2 - s2 >= p1 - s1;
    }
    return true;
  }
  if (from.kind in intRank && to.kind in intRank) return (intRank[to.kind] as number) >= (intRank[from.kind] as number);
  if ((from.kind === "char" || from.kind === "selection") && (to.kind === "text" || to.kind === "char")) return true;
  return from.kind === "many2one" && (to.kind === "integer" || to.kind === "bigInteger");
}

/**
 * Why `op` loses data, or undefined when it does not: dropping a table or column, or a type change
 * that narrows (a shorter VARCHAR, a smaller integer, another kind of value).
 */
export function destructiveReason(op: Operation): string | undefined {
  switch (op.kind) {
    case "dropTable":
    case "dropLinkTable":
      return `drops table ${op.table} and its rows`;
    case "dropColumn":
      return `drops column ${op.table}.${op.column} and its values`;
    case "alterColumn":
      return widens(op.from, op.to)
        ? undefined
        : `changes ${op.table}.${op.column} from ${op.from.kind} to a narrower or different ${op.to.kind}: values may be cut or lost`;
    default:
      return undefined;
  }
}

/** A one-line description of an operation, for diffs, status and errors. */
export function describeOperation(op: Operation): string {
  switch (op.kind) {
    case "createTable":
    case "dropTable":
      return `${op.kind === "createTable" ? "create" : "drop"} table ${op.table} (${Object.keys(op.columns).join(", ")})`;
    case "addColumn":
    case "dropColumn":
      return `${op.kind === "addColumn" ? "add" : "drop"} column ${op.table}.${op.column} (${op.field.kind}${op.field.required ? ", required" : ""})`;
    case "renameColumn":
      return `rename column ${op.table}.${op.from} to ${op.to}`;
    case "alterColumn":
      return `alter column ${op.table}.${op.column}: ${fieldSummary(op.from)} -> ${fieldSummary(op.to)}`;
    case "addIndex":
    case "dropIndex":
      return `${op.kind === "addIndex" ? "add" : "drop"} ${op.unique ? "unique " : ""}index ${op.name} on ${op.table} (${op.columns.join(", ")})`;
    case "addForeignKey":
    case "dropForeignKey":
      return `${op.kind === "addForeignKey" ? "add" : "drop"} foreign key ${op.name}: ${op.table}.${op.column} -> ${op.refTable} on delete ${op.onDelete}`;
    case "createLinkTable":
    case "dropLinkTable":
      return `${op.kind === "createLinkTable" ? "create" : "drop"} link table ${op.table} (${op.column1}, ${op.column2})`;
  }
}

function fieldSummary(field: ColumnField): string {
  const o = field.options as Record<string, unknown>;
  const size =
    field.kind === "char" ? `(${o.maxLength ?? 255})` : field.kind === "decimal" ? `(${o.precision}, ${o.scale})` : "";
  const dflt = o.default !== undefined ? ` default ${JSON.stringify(o.default)}` : "";
  return `${field.kind}${size}${field.required ? " required" : " optional"}${dflt}`;
}
