import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { comparable, hydratedClass, rememberFresh } from "../model/record-state.js";
import type { SelectItem, SelectNode } from "../query/ast.js";
import { isBranchItem } from "./branches.js";

/** Decodes one raw value; adapters may supply their own (see `SqlCompiler.decode`). */
export type Decoder = ((field: FieldMeta, raw: unknown, inJson: boolean) => unknown) & {
  /** One field's decoder outside JSON (the compiler's `columnDecoder`), if the decoder offers one. */
  readonly column?: (field: FieldMeta) => (raw: unknown) => unknown;
};

/** The prototype records of a model get (the model's class by default; a database's bound class, see `db.model`). */
export type Prototypes = (model: ModelMeta) => object;

export const classPrototype: Prototypes = (model) => model.ctor.prototype as object;

/** Builds one record (or nested object) from a row, or from a parsed JSON object. */
export type RowReader = (row: Record<string, unknown>) => object;

/** Column-name separator of a many2one the compiler loaded with a join (`creator_id.name`). */
export const joinedKeySeparator = ".";

/** No nested many2one read as joined columns. */
export const noJoins: ReadonlySet<SelectItem> = new Set();

/**
 * A reader for `select`'s records; `prefix` names a joined many2one's columns, `joined` lists the
 * many2ones read from joined columns. A `branch` reader (tagged layout) gives each nested one2many /
 * many2many an empty array to be filled from its own rows, and leaves computed fields to be derived
 * once the arrays are full.
 */
export function closureReader(
  select: SelectNode,
  decode: Decoder,
  protos: Prototypes,
  inJson: boolean,
  prefix: string,
  joined: ReadonlySet<SelectItem>,
  branch = false,
): RowReader {
  const proto = protos(select.model);
  const names = select.items.map((item) => item.field.name);
  const values = select.items.map((item) =>
    branch && isBranchItem(item) ? () => [] : itemReader(item, decode, protos, inJson, prefix, joined),
  );
  const computed = branch ? [] : (select.computed ?? []);
  // the baseline of save(): stored columns, ids of relations, nested many2ones (by id); not nested lists
  const tracked = select.items
    .filter((item) => item.kind !== "nested" || !isMany(item.field))
    .map((item) => item.field);
  // records are born with their baseline where a class can be compiled for them (see hydratedClass)
  const made = hydratedClass(proto);
  if (made && computed.length === 0) {
    return (row) => {
      // the baseline's array, filled as the record's values are set
      const baseline = new Array<unknown>(tracked.length);
      const record = new made(tracked, baseline) as Record<string, unknown>;
      for (let i = 0; i < names.length; i++)
        record[names[i] as string] = (values[i] as (row: Record<string, unknown>) => unknown)(row);
      for (let i = 0; i < tracked.length; i++) {
        const field = tracked[i] as FieldMeta;
        baseline[i] = comparable(field, record[field.name]);
      }
      return record;
    };
  }
  return (row) => {
    const record = (made ? new made(tracked, undefined) : Object.create(proto)) as Record<string, unknown>;
    for (let i = 0; i < names.length; i++)
      record[names[i] as string] = (values[i] as (row: Record<string, unknown>) => unknown)(row);
    if (computed.length > 0) derive(record, computed, select.loadOnly);
    rememberFresh(record, tracked);
    return record;
  };
}

export function itemReader(
  item: SelectItem,
  decode: Decoder,
  protos: Prototypes,
  inJson: boolean,
  prefix: string,
  joined: ReadonlySet<SelectItem>,
): (row: Record<string, unknown>) => unknown {
  const key = prefix + item.field.name;
  if (item.kind === "column") return (row) => decode(item.field, row[key], inJson);
  const target = item.field.target();
  const many = item.field.kind === "one2many" || item.field.kind === "many2many";
  if (item.kind === "nested" && !many && joined.has(item)) {
    const inner = key + joinedKeySeparator;
    const read = closureReader(item.sub, decode, protos, false, inner, joined);
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
  const read = closureReader(item.sub, decode, protos, true, "", noJoins);
  if (!many) {
    return (row) => {
      const value = json(row) as Record<string, unknown> | null | undefined;
      return value === null || value === undefined ? null : read(value);
    };
  }
  return (row) => ((json(row) ?? []) as Record<string, unknown>[]).map(read);
}

export function isMany(field: FieldMeta): boolean {
  return field.kind === "one2many" || field.kind === "many2many";
}

/** Fills computed fields, then drops the fields read only for them (never returned unless asked for). */
export function derive(
  record: Record<string, unknown>,
  computed: readonly FieldMeta[],
  loadOnly: readonly string[] | undefined,
): void {
  for (const field of computed) record[field.name] = field.def.options.compute!(record);
  if (loadOnly) for (const name of loadOnly) delete record[name];
}
