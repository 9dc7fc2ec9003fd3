import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { constraintName } from "../sql/constraint-name.js";
import type { DdlCompiler } from "../sql/ddl-compiler.js";
import type { ForeignKeyInfo, IndexInfo } from "../sql/schema.js";
import { type ColumnField, type TableOptions, columnOf, keyType } from "./column-field.js";

/** A table as the models want it. */
export interface DesiredTable {
  readonly name: string;
  /** Set for a many2many link table (two reference columns, no id). */
  readonly link?: {
    readonly column1: string;
    readonly column2: string;
    readonly key1?: ColumnField;
    readonly key2?: ColumnField;
  };
  /** The declared key (`id: f.uuid({ primaryKey: true })`); absent for an integer identity id. */
  readonly key?: { readonly field: ColumnField; readonly meta: FieldMeta };
  /** Columns other than `id`, by column name, with the field metadata the DDL renders. */
  readonly columns: ReadonlyMap<string, { readonly field: ColumnField; readonly meta: FieldMeta }>;
  readonly indexes: readonly IndexInfo[];
  readonly foreignKeys: readonly ForeignKeyInfo[];
  /** The adapter's options a migration's createTable carries ({@link DdlCompiler.migrationOptions}). */
  readonly options: TableOptions;
  /** The sorting key the model asks for, where the database has one ({@link DdlCompiler.tableLayout}). */
  readonly orderBy?: readonly string[];
  /** The engine the model asks for, where the database has several. */
  readonly engine?: string;
}

/**
 * The schema the models describe, with the same names `db.sync()` gives indexes and foreign keys,
 * so a database made by `sync` and one made by migrations compare equal.
 */
export function desiredSchema(
  models: readonly ModelMeta[],
  ddl: DdlCompiler,
  options: { foreignKeys: boolean },
): Map<string, DesiredTable> {
  const out = new Map<string, DesiredTable>();
  const uniqueM2o = new Set<unknown>();
  for (const model of models) {
    ddl.checkModel(model);
    for (const field of model.fields.values()) if (field.kind === "one2one") uniqueM2o.add(field.inverse!());
  }
  for (const model of models) {
    const columns = new Map<string, { field: ColumnField; meta: FieldMeta }>();
    const indexes: IndexInfo[] = [];
    const foreignKeys: ForeignKeyInfo[] = [];
    for (const field of model.columns) {
      columns.set(field.column, { field: columnOf(field), meta: field });
      const unique = field.def.options.unique === true || uniqueM2o.has(field);
      if (unique || field.def.options.index === true || field.kind === "many2one") {
        indexes.push({
          name: constraintName(unique ? "uq" : "idx", model.table, [field.column]),
          columns: [field.column],
          unique,
        });
      }
      if (field.kind === "many2one" && options.foreignKeys) {
        const name = constraintName("fk", model.table, [field.column]);
        foreignKeys.push({
          name,
          column: field.column,
          refTable: field.target().table,
          onDelete: field.onDelete ?? "set null",
        });
      }
    }
    for (const group of model.options.indexes ?? []) {
      const cols = group.map((key) => model.fields.get(key)?.column ?? key);
      const name = constraintName("idx", model.table, cols);
      if (!indexes.some((i) => i.name === name)) indexes.push({ name, columns: cols, unique: false });
    }
    const key = model.identity ? {} : { key: { field: columnOf(model.id), meta: model.id } };
    const layout = ddl.tableLayout(model);
    out.set(model.table, {
      name: model.table,
      ...key,
      columns,
      indexes,
      foreignKeys,
      options: ddl.migrationOptions(model),
      ...layout,
    });
  }
  for (const model of models) {
    for (const field of model.fields.values()) {
      if (field.kind !== "many2many" || out.has(field.link!().table)) continue;
      const link = field.link!();
      const foreignKeys: ForeignKeyInfo[] = [];
      if (options.foreignKeys) {
        for (const [column, ref] of [
          [link.column1, model.table],
          [link.column2, field.target().table],
        ] as const) {
          foreignKeys.push({
            name: constraintName("fk", link.table, [column]),
            column,
            refTable: ref,
            onDelete: "cascade",
          });
        }
      }
      out.set(link.table, {
        name: link.table,
        link: {
          column1: link.column1,
          column2: link.column2,
          ...linkKey("key1", model),
          ...linkKey("key2", field.target()),
        },
        columns: new Map(),
        indexes: [{ name: constraintName("idx", link.table, [link.column2]), columns: [link.column2], unique: false }],
        foreignKeys,
        options: {},
      });
    }
  }
  return out;
}

/** The key type a link column takes when `model` declares its key: `{ key1: f.uuid() }`, or `{}`. */
function linkKey(name: "key1" | "key2", model: ModelMeta): { key1?: ColumnField; key2?: ColumnField } {
  return model.identity ? {} : { [name]: keyType(model.id.def) };
}
