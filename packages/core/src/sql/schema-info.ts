import type { ColumnInfo, ForeignKeyInfo, SchemaInfo, TableInfo } from "./schema.js";

/** One catalog row of each kind an adapter reads for {@link describeRows} (`t` = table). */
export interface DescribeRows {
  /** Tables (so a table without columns still shows); an adapter whose tables have them adds `engine` and `order_by` (comma-separated). */
  readonly tables: readonly { t?: unknown; engine?: unknown; order_by?: unknown }[];
  /** Columns in their ordinal order; `nullable` may be a boolean, 0/1 or "YES"/"NO". */
  readonly columns: readonly { t?: unknown; c?: unknown; type?: unknown; nullable?: unknown; dflt?: unknown }[];
  /** One row per indexed column, in key order; primary keys excluded by the adapter. */
  readonly indexes: readonly { t?: unknown; name?: unknown; c?: unknown; uniq?: unknown }[];
  readonly foreignKeys: readonly { t?: unknown; name?: unknown; c?: unknown; ref?: unknown; del?: unknown }[];
  readonly primaryKeys: readonly { t?: unknown; c?: unknown }[];
}

const truthy = (v: unknown) => v === true || v === 1 || v === "1" || v === "t" || String(v).toUpperCase() === "YES";

const onDeleteOf = (v: unknown): ForeignKeyInfo["onDelete"] => {
  const s = String(v).toLowerCase().replace(/_/g, " ");
  return s === "cascade" || s === "set null" || s === "restrict" ? s : "no action";
};

/**
 * Groups the catalog rows an introspector reads into {@link TableInfo}s, so each adapter only
 * writes its catalog queries and maps its type names.
 *
 * @example
 * return describeRows({ tables, columns, indexes, foreignKeys, primaryKeys }, (type) => type.toUpperCase());
 */
export function describeRows(
  rows: DescribeRows,
  mapType: (type: string, table: string, column: string) => string = (t) => t,
): SchemaInfo {
  type Mutable = {
    name: string;
    engine?: string;
    orderBy?: string[];
    columns: ColumnInfo[];
    indexes: { name: string; columns: string[]; unique: boolean }[];
    foreignKeys: ForeignKeyInfo[];
    primaryKey: string[];
  };
  const out = new Map<string, Mutable>();
  const table = (t: unknown) => {
    const name = String(t);
    let s = out.get(name);
    if (!s) out.set(name, (s = { name, columns: [], indexes: [], foreignKeys: [], primaryKey: [] }));
    return s;
  };
  for (const r of rows.tables) {
    const s = table(r.t);
    if (r.engine) s.engine = String(r.engine);
    if (r.order_by !== undefined && r.order_by !== null) {
      s.orderBy = String(r.order_by)
        .split(",")
        .map((x) => x.trim().replace(/^`|`$/g, ""))
        .filter(Boolean);
    }
  }
  for (const r of rows.columns) {
    const s = table(r.t);
    const name = String(r.c);
    const dflt = r.dflt === null || r.dflt === undefined ? null : String(r.dflt);
    s.columns.push({ name, type: mapType(String(r.type), s.name, name), nullable: truthy(r.nullable), default: dflt });
  }
  for (const r of rows.indexes) {
    const s = table(r.t);
    const name = String(r.name);
    let idx = s.indexes.find((i) => i.name === name);
    if (!idx) s.indexes.push((idx = { name, columns: [], unique: truthy(r.uniq) }));
    idx.columns.push(String(r.c));
  }
  for (const r of rows.foreignKeys) {
    table(r.t).foreignKeys.push({
      name: String(r.name),
      column: String(r.c),
      refTable: String(r.ref),
      onDelete: onDeleteOf(r.del),
    });
  }
  for (const r of rows.primaryKeys) table(r.t).primaryKey.push(String(r.c));
  for (const s of out.values()) s.indexes.sort((a, b) => a.name.localeCompare(b.name));
  return out;
}
