import type { ModelMeta } from "../model/model-meta.js";
import { constraintName } from "./constraint-name.js";
import type { DdlCompiler, LinkTable } from "./ddl-compiler.js";
import type { SchemaState } from "./schema.js";

/** Options the planner needs from the adapter's capabilities. */
export interface PlanOptions {
  readonly foreignKeys: boolean;
}

/**
 * Compares the models with the schema and lists the DDL that makes them match: missing tables,
 * columns, unique and plain indexes, foreign keys and many2many link tables. It never drops or
 * alters anything, so running it twice sends nothing the second time.
 */
export function planSync(
  models: readonly ModelMeta[],
  schema: SchemaState,
  ddl: DdlCompiler,
  options: PlanOptions,
): string[] {
  const tables: string[] = [];
  const columns: string[] = [];
  const indexes: string[] = [];
  const fks: string[] = [];
  const has = (table: string) => schema.has(table);
  const links = new Map<string, LinkTable>();
  const uniqueM2o = oneToOneInverses(models);
  for (const model of models) ddl.checkModel(model);

  for (const model of models) {
    const state = schema.get(model.table);
    // an index the model also lists in `indexes` (e.g. [["partner_id"]] on a many2one) is made once
    const planned = new Set<string>();
    if (!state) tables.push(ddl.createTable(model));
    for (const field of model.columns) {
      if (state && !state.columns.has(field.column)) columns.push(ddl.addColumn(model, field));
      const unique = field.def.options.unique === true || uniqueM2o.has(field);
      const wantIndex = unique || field.def.options.index === true || field.kind === "many2one";
      if (wantIndex) {
        const name = constraintName(unique ? "uq" : "idx", model.table, [field.column]);
        planned.add(name);
        if (!state?.indexes.has(name)) indexes.push(ddl.createIndex(name, model.table, [field.column], unique));
      }
      if (field.kind === "many2one" && options.foreignKeys) {
        const name = constraintName("fk", model.table, [field.column]);
        if (!state?.foreignKeys.has(name)) {
          fks.push(
            ddl.addForeignKey(name, model.table, field.column, field.target().table, field.onDelete ?? "set null"),
          );
        }
      }
    }
    for (const group of model.options.indexes ?? []) {
      const cols = group.map((key) => model.fields.get(key)?.column ?? key);
      const name = constraintName("idx", model.table, cols);
      if (planned.has(name)) continue;
      planned.add(name);
      if (!state?.indexes.has(name)) indexes.push(ddl.createIndex(name, model.table, cols, false));
    }
    for (const field of model.fields.values()) {
      if (field.kind !== "many2many") continue;
      const link = field.link!();
      if (!links.has(link.table)) links.set(link.table, { ...link, owner: model, target: field.target() });
    }
  }

  for (const link of links.values()) {
    if (!has(link.table)) tables.push(ddl.createLinkTable(link));
    const state = schema.get(link.table);
    const idx = constraintName("idx", link.table, [link.column2]);
    if (!state?.indexes.has(idx)) indexes.push(ddl.createIndex(idx, link.table, [link.column2], false));
    if (options.foreignKeys) {
      for (const [column, ref] of [
        [link.column1, link.owner],
        [link.column2, link.target],
      ] as const) {
        const name = constraintName("fk", link.table, [column]);
        if (!state?.foreignKeys.has(name)) fks.push(ddl.addForeignKey(name, link.table, column, ref.table, "cascade"));
      }
    }
  }
  return [...tables, ...columns, ...indexes, ...fks];
}

/** many2one fields that a one2one points back at: they must be unique. */
function oneToOneInverses(models: readonly ModelMeta[]) {
  const set = new Set<unknown>();
  for (const model of models) {
    for (const field of model.fields.values()) if (field.kind === "one2one") set.add(field.inverse!());
  }
  return set;
}
