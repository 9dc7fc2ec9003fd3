import { f } from "../model/f.js";
import type { Field, FieldKind, OnDelete } from "../model/field.js";
import {
  type AnyModel,
  type FieldMeta,
  type ModelMeta,
  type ModelOptions,
  type TableOptions,
  buildMeta,
} from "../model/model-meta.js";
import type { DdlCompiler } from "../sql/ddl-compiler.js";
import type { ColumnInfo } from "../sql/schema.js";

/** A column definition in a migration: a scalar `f.*` field, or a reference made by {@link ref}. */
export type ColumnField = Field;

/** Options of {@link ref}. */
export interface RefOptions {
  required?: boolean;
  /**
   * The type of the referenced table's declared key (`f.uuid()`, `f.char({ maxLength: 20 })`,
   * `f.bigInteger()`); without it the reference is to an integer identity id.
   */
  key?: ColumnField;
}

const stubs = new Map<string, AnyModel>();
/**
 * A stand-in model for a table a migration refers to by name: its table name, and its key's type
 * when `key` is given (a declared key), else an integer identity.
 */
export function tableStub(table: string, key?: ColumnField): AnyModel {
  const sig = key ? `${table}:${key.kind}:${JSON.stringify(keyType(key).options)}` : table;
  let stub = stubs.get(sig);
  if (!stub) {
    const meta = key
      ? tableMeta(table, {
          id: {
            ...keyType(key),
            required: true,
            options: { ...keyType(key).options, primaryKey: true },
          } as ColumnField,
        })
      : { table, identity: true };
    stubs.set(sig, (stub = { meta } as unknown as AnyModel));
  }
  return stub;
}

/**
 * A reference column (the column of a many2one) to `table`'s id, for migrations, where models
 * are referred to by table name. The foreign key itself is a separate `addForeignKey` step. A
 * table with a declared key is referenced with the key's type as `key`.
 *
 * @example
 * await db.schema.addColumn("leads", "partner_id", ref("partners"));
 * await db.schema.addColumn("leads", "token_id", ref("tokens", { key: f.uuid() })); // a UUID column
 */
export function ref(table: string, options: RefOptions = {}): ColumnField {
  const key = options.key ? keyType(options.key) : undefined;
  return f.many2one(() => tableStub(table, key), options.required ? { required: true } : {});
}

/** The table a reference column points at. */
export function refTable(field: Field): string | undefined {
  const target = (field as { target?: () => AnyModel }).target;
  return field.kind === "many2one" && target ? target().meta.table : undefined;
}

/** The key type a reference column points at (`f.uuid()`), or undefined for an integer identity. */
export function refKey(field: Field): ColumnField | undefined {
  const target = (field as { target?: () => AnyModel }).target;
  if (field.kind !== "many2one" || !target) return undefined;
  const meta = target().meta;
  return meta.identity ? undefined : keyType(meta.id.def);
}

/** Only what types a key column (kind and sizes): `f.char({ maxLength: 20 })`, `f.uuid()`. */
export function keyType(field: Field): ColumnField {
  const o = field.options as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const k of ["maxLength", "precision", "scale"]) if (o[k] !== undefined) kept[k] = o[k];
  return Object.freeze({ kind: field.kind, required: false, options: Object.freeze(kept) }) as ColumnField;
}

/** Options that shape a column (the rest — labels, index flags, computes — do not reach DDL). */
const ddlOptions = ["primaryKey", "required", "default", "maxLength", "precision", "scale", "options"] as const;

/**
 * The column definition of a model's stored field, keeping only what DDL depends on: the form
 * migrations and diffs handle (static defaults only; a function default is applied in JS).
 */
export function columnOf(field: FieldMeta): ColumnField {
  if (field.kind === "many2one") {
    const target = field.target();
    return ref(target.table, { required: field.required, ...(target.identity ? {} : { key: target.id.def }) });
  }
  const o = field.def.options as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const key of ddlOptions) if (o[key] !== undefined && typeof o[key] !== "function") kept[key] = o[key];
  return Object.freeze({ kind: field.kind, required: field.required, options: Object.freeze(kept) }) as ColumnField;
}

export type { TableOptions };

/** Resolves column definitions into field metadata, as the DDL compiler takes them. */
export function tableMeta(
  table: string,
  columns: Readonly<Record<string, ColumnField>>,
  options: TableOptions = {},
): ModelMeta {
  const meta = buildMeta(table, columns as Record<string, Field>, options as ModelOptions, () => tableStub(table));
  return meta;
}

/** One column's metadata. */
export function columnMeta(table: string, column: string, field: ColumnField): FieldMeta {
  return tableMeta(table, { [column]: field }).fields.get(column) as FieldMeta;
}

/** Types compared as the databases spell them, ignoring case, spaces and the INTEGER/INT synonym. */
export function canonicalType(type: string): string {
  const t = type.replace(/\s+/g, "").toUpperCase();
  return t === "INTEGER" ? "INT" : t;
}

const synonyms: [RegExp, string][] = [
  [/^now\(\)$/, "current_timestamp"],
  [/^current_timestamp\(\)$/, "current_timestamp"],
  [/^curdate\(\)$/, "current_date"],
  [/^curtime\((\d*)\)$/, "current_time($1)"],
  [/^true$/, "1"],
  [/^false$/, "0"],
];

/**
 * A DEFAULT expression in a form every database's report of it maps to: outer parentheses,
 * PostgreSQL casts, case of keywords, quoted numbers and the spelling of "now" set aside.
 */
export function canonicalDefault(expr: string | null | undefined): string | null {
  if (expr === null || expr === undefined) return null;
  let s = expr.trim().replace(/^DEFAULT\s+/i, "");
  while (/^\(.*\)$/.test(s) && balanced(s.slice(1, -1))) s = s.slice(1, -1).trim();
  s = s.replace(/::[a-z ]+(\(\d+(,\s*\d+)?\))?(\[\])?$/i, "");
  if (s === "" || /^null$/i.test(s)) return null;
  const quotedNumber = /^'(-?\d+(\.\d+)?)'$/.exec(s);
  if (quotedNumber) s = quotedNumber[1] as string;
  if (/^-?\d+(\.\d+)?$/.test(s)) return String(Number(s));
  // MySQL 8 reports an expression default with a charset introducer: _utf8mb4\'text\'
  const introduced = /^_[a-z0-9]+\\'(.*)\\'$/is.exec(s);
  if (introduced) s = `'${(introduced[1] as string).replace(/\\'/g, "''")}'`;
  if (s.startsWith("'")) return canonicalJson(unifyQuotes(s));
  s = s.toLowerCase();
  for (const [re, to] of synonyms) s = s.replace(re, to);
  return s;
}

/** A quoted literal with each escaped quote spelt `''` (MariaDB reports `'it\'s'` for `'it''s'`). */
function unifyQuotes(quoted: string): string {
  let out = "";
  for (let i = 0; i < quoted.length; i++) {
    const ch = quoted[i] as string;
    const next = quoted[i + 1];
    if (ch === "\\" && next !== undefined && i + 1 < quoted.length - 1) {
      out += next === "'" ? "''" : ch + next;
      i++;
    } else out += ch;
  }
  return out;
}

/**
 * A quoted JSON object or array in one spelling: PostgreSQL's JSONB reports `{"a": 1}` with its own
 * spacing and key order, MySQL and ClickHouse the text as written. Other literals are kept as they are.
 */
function canonicalJson(quoted: string): string {
  const text = quoted.slice(1, -1).replace(/''/g, "'");
  if (!/^[[{]/.test(text)) return quoted;
  try {
    return `'${JSON.stringify(sortKeys(JSON.parse(text))).replace(/'/g, "''")}'`;
  } catch {
    return quoted;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

/** The DEFAULT a field's DDL gives its column, canonical. */
export function defaultOf(ddl: DdlCompiler, field: FieldMeta): string | null {
  return canonicalDefault(ddl.defaultClause(field));
}

const keyKinds: readonly FieldKind[] = ["integer", "bigInteger", "char", "uuid"];
const kinds: readonly FieldKind[] = [
  "integer",
  "bigInteger",
  "smallInteger",
  "text",
  "char",
  "boolean",
  "datetime",
  "date",
  "time",
  "float",
  "decimal",
  "json",
  "binary",
  "uuid",
  "selection",
];

/**
 * The column definition that renders a database column back: the first field kind whose DDL type
 * (with the sizes read from the type) equals it, with nullability and a default read from the
 * column. Columns of no known type come back as `text`, marked `unknownType`.
 */
export function columnFromInfo(
  ddl: DdlCompiler,
  table: string,
  column: ColumnInfo,
  only: readonly FieldKind[] = kinds,
): { field: ColumnField; unknownType: boolean } {
  const sizes = (column.type.match(/\d+/g) ?? []).map(Number);
  const want = canonicalType(column.type);
  for (const kind of only) {
    const options: Record<string, unknown> = { required: !column.nullable };
    if (kind === "char") options.maxLength = sizes[0] ?? 255;
    if (kind === "decimal") Object.assign(options, { precision: sizes[0] ?? 18, scale: sizes[1] ?? 0 });
    if (kind === "selection") options.options = [];
    const bare = Object.freeze({ kind, required: !column.nullable, options: Object.freeze(options) }) as ColumnField;
    const meta = columnMeta(table, column.name, bare);
    if (canonicalType(ddl.typeOf(meta)) !== want) continue;
    const value = defaultValue(kind, column.default);
    if (value !== undefined) {
      const withDefault = Object.freeze({
        ...bare,
        options: Object.freeze({ ...options, default: value }),
      }) as ColumnField;
      if (defaultOf(ddl, columnMeta(table, column.name, withDefault)) === canonicalDefault(column.default))
        return { field: withDefault, unknownType: false };
    }
    return { field: bare, unknownType: false };
  }
  return {
    field: Object.freeze({
      kind: "text",
      required: !column.nullable,
      options: Object.freeze({ required: !column.nullable }),
    }) as ColumnField,
    unknownType: true,
  };
}

/**
 * The declared key a table's `id` column stands for (`f.uuid({ primaryKey: true })`), or undefined
 * when it has the identity's type (the adapter's reference type: an integer id, read as implicit).
 */
export function keyFromInfo(ddl: DdlCompiler, table: string, column: ColumnInfo): ColumnField | undefined {
  if (canonicalType(column.type) === canonicalType(ddl.referenceType())) return undefined;
  // read as a plain column (a field named id must be a declared key to be built), of a kind a key may have
  const { field, unknownType } = columnFromInfo(
    ddl,
    table,
    { ...column, name: "key", nullable: false, default: null },
    keyKinds,
  );
  if (unknownType) return undefined;
  const options: Record<string, unknown> = { primaryKey: true, ...keyType(field).options };
  // a type without a size (ClickHouse's String) states no maxLength
  if (!/\d/.test(column.type)) delete options.maxLength;
  return Object.freeze({ kind: field.kind, required: true, options: Object.freeze(options) }) as ColumnField;
}

/** The JS default a canonical DEFAULT expression stands for, or undefined when it is not a plain value. */
function defaultValue(kind: FieldKind, expr: string | null): unknown {
  const d = canonicalDefault(expr);
  if (d === null) return undefined;
  if (kind === "boolean") return d === "1" ? true : d === "0" ? false : undefined;
  if (kind === "datetime" || kind === "date" || kind === "time") {
    if (/^(current_|localtime|now|today)/.test(d)) return "now";
    return kind === "date" && /^'\d{4}-\d{2}-\d{2}'$/.test(d) ? d.slice(1, -1) : undefined;
  }
  if (kind === "json" && /^'.*'$/s.test(d)) {
    try {
      return JSON.parse(d.slice(1, -1).replace(/''/g, "'"));
    } catch {
      return undefined;
    }
  }
  if (kind === "decimal" && /^-?\d+(\.\d+)?$/.test(d)) return d;
  if (/^-?\d+(\.\d+)?$/.test(d)) return Number(d);
  if (/^'.*'$/s.test(d)) return d.slice(1, -1).replace(/''/g, "'").replace(/\\'/g, "'");
  return undefined;
}

/** Effective onDelete values, for foreign keys. */
export type { OnDelete };
