import { UnsupportedError } from "../errors.js";
import type { DdlCompiler } from "../sql/ddl-compiler.js";
import type { ColumnInfo, ForeignKeyInfo, IndexInfo, SchemaInfo, TableInfo } from "../sql/schema.js";
import {
  type ColumnField,
  canonicalDefault,
  canonicalType,
  columnFromInfo,
  defaultOf,
  keyFromInfo,
  keyType,
} from "./column-field.js";
import type { DesiredTable } from "./desired-schema.js";
import type { Operation } from "./operations.js";

/** A column rename: `from` in the database is `to` in the models. */
export interface Rename {
  readonly table: string;
  readonly from: string;
  readonly to: string;
}

/** Options of {@link diffSchema}. */
export interface DiffOptions {
  /** Confirmed renames; other disappearing/appearing column pairs become drop + add. */
  readonly renames?: readonly Rename[];
  /** Whether the database enforces unique indexes (ClickHouse does not, so only names are compared). */
  readonly uniqueConstraints?: boolean;
  /** Tables the diff leaves alone (default: DotORM's own, see {@link isDotormTable}). */
  readonly ignoreTable?: (table: string) => boolean;
  /** The dialect errors name (default: "this database"). */
  readonly dialect?: string;
}

/** What {@link diffSchema} found. */
export interface SchemaDiff {
  /** Operations that make the database match the models, in a safe order. */
  readonly operations: Operation[];
  /** Dropped and added columns of the same type in one table: maybe renames, to confirm. */
  readonly renameCandidates: Rename[];
}

/** DotORM's own tables (migration history and lock, ClickHouse id claims): never part of a diff or of `inspect`. */
export function isDotormTable(table: string): boolean {
  return /^_?dotorm_/.test(table);
}

const phases = [
  "dropForeignKey",
  "dropIndex",
  "renameColumn",
  "createTable",
  "createLinkTable",
  "addColumn",
  "alterColumn",
  "dropColumn",
  "dropTable",
  "dropLinkTable",
  "addIndex",
  "addForeignKey",
] as const;

/**
 * Compares the models' schema with the database's and lists the operations that make the database
 * match: tables, columns (type, nullability, default), renames, indexes, uniques, foreign keys and
 * link tables. A layout change the adapter refuses ({@link DdlCompiler.checkLayout}: ClickHouse's
 * sorting key or engine) throws: it needs a new table.
 *
 * @example
 * const { operations } = diffSchema(desiredSchema(models, ddl, caps), await introspector.describe(exec), ddl);
 */
export function diffSchema(
  desired: ReadonlyMap<string, DesiredTable>,
  actual: SchemaInfo,
  ddl: DdlCompiler,
  options: DiffOptions = {},
): SchemaDiff {
  const ops: Operation[] = [];
  const renameCandidates: Rename[] = [];
  const ignore = options.ignoreTable ?? isDotormTable;
  const sameIndex = (a: IndexInfo, b: IndexInfo) =>
    a.columns.join() === b.columns.join() && (options.uniqueConstraints === false || a.unique === b.unique);
  const sameFk = (a: ForeignKeyInfo, b: ForeignKeyInfo) =>
    a.column === b.column && a.refTable === b.refTable && a.onDelete === b.onDelete;

  for (const want of desired.values()) {
    const have = actual.get(want.name);
    if (!have) {
      if (want.link) ops.push({ kind: "createLinkTable", table: want.name, ...want.link });
      else {
        const key = want.key ? [["id", want.key.field] as const] : [];
        const columns = Object.fromEntries([...key, ...[...want.columns].map(([c, v]) => [c, v.field] as const)]);
        ops.push({ kind: "createTable", table: want.name, columns, options: want.options });
      }
    } else if (!want.link) {
      ddl.checkLayout(want.name, want, have);
      checkKey(want, have, ddl, options.dialect ?? "this database");
      diffColumns(want, have, ddl, options.renames ?? [], ops, renameCandidates);
    }
    const haveIdx = new Map((have?.indexes ?? []).map((i) => [i.name, i]));
    const haveFk = new Map((have?.foreignKeys ?? []).map((k) => [k.name, k]));
    for (const idx of want.indexes) {
      const cur = haveIdx.get(idx.name);
      if (cur && !sameIndex(cur, idx)) ops.push({ kind: "dropIndex", table: want.name, ...cur });
      if (!cur || !sameIndex(cur, idx)) ops.push({ kind: "addIndex", table: want.name, ...idx });
    }
    for (const fk of want.foreignKeys) {
      const cur = haveFk.get(fk.name);
      if (cur && !sameFk(cur, fk)) ops.push({ kind: "dropForeignKey", table: want.name, ...cur });
      if (!cur || !sameFk(cur, fk)) ops.push({ kind: "addForeignKey", table: want.name, ...fk });
    }
    for (const cur of have?.indexes ?? [])
      if (!want.indexes.some((i) => i.name === cur.name)) ops.push({ kind: "dropIndex", table: want.name, ...cur });
    for (const cur of have?.foreignKeys ?? []) {
      if (!want.foreignKeys.some((k) => k.name === cur.name))
        ops.push({ kind: "dropForeignKey", table: want.name, ...cur });
    }
  }
  for (const have of actual.values()) {
    if (desired.has(have.name) || ignore(have.name)) continue;
    for (const fk of have.foreignKeys) ops.push({ kind: "dropForeignKey", table: have.name, ...fk });
    for (const idx of have.indexes) ops.push({ kind: "dropIndex", table: have.name, ...idx });
    ops.push(dropTableOp(have, ddl));
  }
  const rank = (op: Operation) => phases.indexOf(op.kind);
  return {
    operations: ops
      .map((op, i) => [op, i] as const)
      .sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1])
      .map(([op]) => op),
    renameCandidates,
  };
}

function diffColumns(
  want: DesiredTable,
  have: TableInfo,
  ddl: DdlCompiler,
  renames: readonly Rename[],
  ops: Operation[],
  candidates: Rename[],
) {
  const cols = new Map(have.columns.filter((c) => c.name !== "id").map((c) => [c.name, c]));
  for (const r of renames) {
    const col = cols.get(r.from);
    if (r.table !== want.name || !col || cols.has(r.to) || !want.columns.has(r.to) || want.columns.has(r.from))
      continue;
    ops.push({ kind: "renameColumn", table: want.name, from: r.from, to: r.to });
    cols.delete(r.from);
    cols.set(r.to, { ...col, name: r.to });
  }
  const dropped: ColumnInfo[] = [];
  for (const [name, col] of cols) {
    const target = want.columns.get(name);
    if (!target) {
      dropped.push(col);
      ops.push({ kind: "dropColumn", table: want.name, column: name, field: fieldOf(ddl, want.name, col) });
      continue;
    }
    const sameType = canonicalType(ddl.typeOf(target.meta)) === canonicalType(col.type);
    const sameNull = col.nullable === !target.meta.required;
    const sameDefault = defaultOf(ddl, target.meta) === canonicalDefault(col.default);
    if (!sameType || !sameNull || !sameDefault) {
      ops.push({
        kind: "alterColumn",
        table: want.name,
        column: name,
        from: fieldOf(ddl, want.name, col),
        to: target.field,
      });
    }
  }
  for (const [name, { field, meta }] of want.columns) {
    if (cols.has(name)) continue;
    ops.push({ kind: "addColumn", table: want.name, column: name, field });
    const twin = dropped.find((d) => canonicalType(d.type) === canonicalType(ddl.typeOf(meta)));
    if (twin) candidates.push({ table: want.name, from: twin.name, to: name });
  }
}

function fieldOf(ddl: DdlCompiler, table: string, col: ColumnInfo): ColumnField {
  return columnFromInfo(ddl, table, col).field;
}

function dropTableOp(have: TableInfo, ddl: DdlCompiler): Operation {
  const names = have.columns.map((c) => c.name);
  if (!names.includes("id") && names.length === 2 && have.primaryKey.length === 2) {
    const [c1, c2] = have.columns as [ColumnInfo, ColumnInfo];
    const [key1, key2] = [keyFromInfo(ddl, have.name, c1), keyFromInfo(ddl, have.name, c2)];
    return {
      kind: "dropLinkTable",
      table: have.name,
      column1: c1.name,
      column2: c2.name,
      ...(key1 ? { key1: keyType(key1) } : {}),
      ...(key2 ? { key2: keyType(key2) } : {}),
    };
  }
  const id = have.columns.find((c) => c.name === "id");
  const key = id ? keyFromInfo(ddl, have.name, id) : undefined;
  const columns = Object.fromEntries([
    ...(key ? [["id", key] as const] : []),
    ...have.columns.filter((c) => c.name !== "id").map((c) => [c.name, fieldOf(ddl, have.name, c)] as const),
  ]);
  return { kind: "dropTable", table: have.name, columns, options: ddl.migrationOptionsOf(have) };
}

/**
 * A table's `id` must have the type the model gives it (the declared key's, or the identity's):
 * changing a primary key's type in place is refused, naming the table and both types.
 */
function checkKey(want: DesiredTable, have: TableInfo, ddl: DdlCompiler, dialect: string) {
  const id = have.columns.find((c) => c.name === "id");
  if (!id) return;
  const wanted = want.key ? ddl.typeOf(want.key.meta) : ddl.referenceType();
  if (canonicalType(wanted) === canonicalType(id.type)) return;
  // an identity model over an integer id of another width (a table made elsewhere) is left alone
  if (!want.key && !["char", "uuid"].includes(keyFromInfo(ddl, have.name, id)?.kind ?? "")) return;
  throw new UnsupportedError(
    "changing a primary key's type",
    dialect,
    `${want.name}.id is ${id.type} in the database and ${wanted} in the model${want.key ? "" : " (the implicit integer id)"}: ` +
      "create a new table with the new key, copy the rows and references, then swap them in a hand-written migration",
  );
}
