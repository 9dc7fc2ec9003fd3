import { type Many2oneOptions, f } from "../model/f.js";
import type { Field } from "../model/field.js";
import { model } from "../define/model.js";
import type { AnyModel, ModelOptions } from "../model/model-meta.js";
import type { DdlCompiler } from "../sql/ddl-compiler.js";
import type { SchemaInfo, TableInfo } from "../sql/schema.js";
import { columnFromInfo, keyFromInfo } from "./column-field.js";
import { isDotormTable } from "./diff-schema.js";
import { fieldSource } from "./migration-source.js";

/** A model read back from a database, before it becomes source or a model class. */
interface InspectedModel {
  readonly name: string;
  readonly table: string;
  readonly fields: {
    key: string;
    field: Field;
    target?: string;
    link?: { table: string; column1: string; column2: string };
    note?: string;
  }[];
  readonly options: ModelOptions;
}

const pascal = (table: string) =>
  table.replace(/(^|_)([a-z0-9])/gi, (_, __, c: string) => c.toUpperCase()).replace(/^(\d)/, "T$1");
const isLink = (t: TableInfo) =>
  !t.columns.some((c) => c.name === "id") && t.columns.length === 2 && t.primaryKey.length === 2;

/** Reads models off a schema: columns, references (with ON DELETE), indexes, link tables as many2many. */
function inspectModels(info: SchemaInfo, ddl: DdlCompiler): InspectedModel[] {
  const tables = [...info.values()].filter((t) => !isDotormTable(t.name));
  const out = new Map<string, InspectedModel>();
  for (const t of tables.filter((x) => !isLink(x))) {
    const fields: InspectedModel["fields"] = [];
    const single = (col: string) => t.indexes.filter((i) => i.columns.length === 1 && i.columns[0] === col);
    for (const col of t.columns) {
      if (col.name === "id") {
        // a uuid, char or bigint id is a declared key; the identity's integer stays implicit
        const key = keyFromInfo(ddl, t.name, col);
        if (key) fields.push({ key: "id", field: key });
        continue;
      }
      const fk = t.foreignKeys.find((k) => k.column === col.name);
      const unique = single(col.name).some((i) => i.unique);
      const indexed = single(col.name).some((i) => !i.unique);
      if (fk) {
        const opts: Record<string, unknown> = { onDelete: fk.onDelete };
        if (!col.nullable) opts.required = true;
        if (unique) opts.unique = true;
        fields.push({
          key: col.name,
          field: f.many2one(() => undefined, opts as Many2oneOptions),
          target: fk.refTable,
        });
        continue;
      }
      const { field, unknownType } = columnFromInfo(ddl, t.name, col);
      const extra = { ...(unique ? { unique: true } : {}), ...(indexed ? { index: true } : {}) };
      const merged = Object.freeze({ ...field, options: Object.freeze({ ...field.options, ...extra }) }) as Field;
      fields.push({
        key: col.name,
        field: merged,
        note: unknownType ? `database type ${col.type} has no DotORM field; read as text` : undefined,
      });
    }
    const composite = t.indexes.filter((i) => i.columns.length > 1).map((i) => [...i.columns]);
    const options: ModelOptions = {
      ...(composite.length ? { indexes: composite } : {}),
      ...ddl.migrationOptionsOf(t, true),
    } as ModelOptions;
    out.set(t.name, { name: pascal(t.name), table: t.name, fields, options });
  }
  for (const t of tables.filter(isLink)) {
    const [c1, c2] = t.columns.map((c) => c.name) as [string, string];
    const refOf = (col: string) => t.foreignKeys.find((k) => k.column === col)?.refTable ?? guessTable(col, out);
    const [owner, target] = [refOf(c1), refOf(c2)];
    const m = owner ? out.get(owner) : undefined;
    if (!m || !target || !out.has(target)) continue;
    m.fields.push({
      key: `${t.name}_ids`,
      field: f.many2many(() => undefined, { table: t.name, column1: c1, column2: c2 }),
      target,
      link: { table: t.name, column1: c1, column2: c2 },
    });
  }
  return [...out.values()];
}

/** A link column's table when there are no foreign keys to say (ClickHouse): `partner_id` -> `partners`/`partner`. */
function guessTable(column: string, models: ReadonlyMap<string, InspectedModel>): string | undefined {
  const base = column.replace(/_id$/, "");
  const names = [base, `${base}s`, `${base}es`];
  return [...models.keys()].find((t) => names.some((n) => t === n || t.endsWith(`_${n}`)));
}

/**
 * Model classes for an existing database's tables (the way to adopt DotORM on a legacy schema):
 * syncing them into an empty database gives the same tables, columns, indexes and foreign keys.
 *
 * @example
 * const models = modelsFromSchema(await adapter.introspector.describe(exec), adapter.ddl);
 */
export function modelsFromSchema(info: SchemaInfo, ddl: DdlCompiler): AnyModel[] {
  const inspected = inspectModels(info, ddl);
  const classes = new Map<string, AnyModel>();
  const defs = (m: InspectedModel) =>
    Object.fromEntries(
      m.fields.map(({ key, field, target, link }) => {
        const thunk = () => classes.get(target as string) as AnyModel;
        if (link) return [key, f.many2many(thunk, link)];
        if (target) return [key, f.many2one(thunk, field.options as Many2oneOptions)];
        return [key, field];
      }),
    );
  for (const m of inspected) classes.set(m.table, model(m.table, defs(m) as never, m.options) as unknown as AnyModel);
  return [...classes.values()];
}

/** The source of a models file for an existing database (what `dotorm inspect` prints). */
export function modelsSource(info: SchemaInfo, ddl: DdlCompiler): string {
  const inspected = inspectModels(info, ddl);
  const names = new Map(inspected.map((m) => [m.table, m.name]));
  const blocks = inspected.map((m) => {
    const lines = m.fields.map(({ key, field, target, link, note }) => {
      const comment = note ? `  // ${note}\n` : "";
      if (link)
        return `${comment}  ${key}: f.many2many(() => ${names.get(target as string)}, ${JSON.stringify(link)}),`;
      if (target) {
        const o = Object.entries(field.options as Record<string, unknown>).map(
          ([k, v]) => `${k}: ${JSON.stringify(v)}`,
        );
        return `${comment}  ${key}: f.many2one(() => ${names.get(target)}${o.length ? `, { ${o.join(", ")} }` : ""}),`;
      }
      return `${comment}  ${key}: ${fieldSource(field)},`;
    });
    const opts = Object.keys(m.options).length ? `, ${JSON.stringify(m.options)}` : "";
    return `export const ${m.name} = model(${JSON.stringify(m.table)}, {\n${lines.join("\n")}\n}${opts});`;
  });
  return `// Generated by \`dotorm inspect\` from the database's schema.\nimport { f, model } from "@dotorm/core";\n\n${blocks.join("\n\n")}\n\nexport const models = [${inspected.map((m) => m.name).join(", ")}];\n`;
}
