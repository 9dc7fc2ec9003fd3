import type { FieldMeta } from "../model/model-meta.js";
import type { SelectItem, SelectNode } from "../query/ast.js";

/** Decodes one raw value; adapters may supply their own (see `SqlCompiler.decode`). */
export type Decoder = (field: FieldMeta, raw: unknown, inJson: boolean) => unknown;

/** Builds one record (or nested object) from a row, or from a parsed JSON object. */
type RowReader = (row: Record<string, unknown>) => object;

/** Column-name separator of a many2one the compiler loaded with a join (`creator_id.name`). */
export const joinedKeySeparator = ".";

/**
 * Turns result rows into records of the model's class (so methods defined on a subclass work),
 * nested relations included, then fills computed fields. The readers are built once per call, not
 * per row. A nested many2one comes back either as one JSON column or, when the compiler joined it
 * (see `SqlCompiler.joinsSingles`), as columns named `<field>.<subfield>`; the first row's keys say which.
 */
export function hydrate(select: SelectNode, rows: readonly Record<string, unknown>[], decode: Decoder): object[] {
  const out = new Array<object>(rows.length);
  if (rows.length === 0) return out;
  const read = reader(select, decode, false, "", rows[0] as Record<string, unknown>);
  for (let i = 0; i < rows.length; i++) out[i] = read(rows[i] as Record<string, unknown>);
  return out;
}

/** A reader for `select`'s records; `prefix` names a joined many2one's columns, `sample` tells the layout. */
function reader(select: SelectNode, decode: Decoder, inJson: boolean, prefix: string, sample?: Record<string, unknown>): RowReader {
  const proto = select.model.ctor.prototype as object;
  const names = select.items.map((item) => item.field.name);
  const values = select.items.map((item) => itemReader(item, decode, inJson, prefix, sample));
  const computed = select.computed ?? [];
  return (row) => {
    const record = Object.create(proto) as Record<string, unknown>;
    for (let i = 0; i < names.length; i++) record[names[i] as string] = (values[i] as (row: Record<string, unknown>) => unknown)(row);
    for (const field of computed) record[field.name] = field.def.options.compute!(record);
    return record;
  };
}

function itemReader(item: SelectItem, decode: Decoder, inJson: boolean, prefix: string, sample?: Record<string, unknown>): (row: Record<string, unknown>) => unknown {
  const key = prefix + item.field.name;
  if (item.kind === "column") return (row) => decode(item.field, row[key], inJson);
  const target = item.field.target();
  const many = item.field.kind === "one2many" || item.field.kind === "many2many";
  if (item.kind === "nested" && !many && sample && !(key in sample)) {
    const inner = key + joinedKeySeparator;
    const read = reader(item.sub, decode, false, inner, sample);
    const idKey = inner + "id";
    return (row) => (row[idKey] === null || row[idKey] === undefined ? null : read(row));
  }
  const json = (row: Record<string, unknown>) => {
    const raw = row[key];
    return typeof raw === "string" ? JSON.parse(raw) : raw;
  };
  if (item.kind === "ids") {
    if (!many) {
      return (row) => {
        const value = json(row);
        return value === null || value === undefined ? null : decode(target.id, value, true);
      };
    }
    return (row) => ((json(row) ?? []) as unknown[]).map((v) => decode(target.id, v, true));
  }
  const read = reader(item.sub, decode, true, "");
  if (!many) {
    return (row) => {
      const value = json(row) as Record<string, unknown> | null | undefined;
      return value === null || value === undefined ? null : read(value);
    };
  }
  return (row) => ((json(row) ?? []) as Record<string, unknown>[]).map(read);
}
