import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { comparable, type HydratedClass, hydratedClass, rememberFresh } from "../model/record-state.js";
import type { SelectItem, SelectNode } from "../query/ast.js";
import { isBranchItem } from "./branches.js";
import {
  type Decoder,
  type Prototypes,
  type RowReader,
  derive,
  isMany,
  itemReader,
  joinedKeySeparator,
} from "./closure-reader.js";

/** What a compiled shape is given per read: the decoder, the baseline setter and the values of the walk. */
type Factory = (
  decode: Decoder,
  remember: typeof rememberFresh,
  comparable: (field: FieldMeta, value: unknown) => unknown,
  classes: readonly HydratedClass[],
  columns: readonly ((raw: unknown) => unknown)[],
  tracked: readonly (readonly FieldMeta[])[],
  extra: readonly ((value: Record<string, unknown>) => unknown)[],
) => RowReader;

/** The values a shape's source refers to by position, gathered per read, and the shape's key. */
interface Env {
  /** Each (sub)select's record class (see `hydratedClass`), undefined where none can be compiled. */
  readonly classes: (HydratedClass | undefined)[];
  readonly columns: ((raw: unknown) => unknown)[];
  readonly tracked: FieldMeta[][];
  readonly extra: ((value: Record<string, unknown>) => unknown)[];
  key: string;
}

/** Compiled shapes by their key; the source names no model, so models of one shape share it. */
const factories = new Map<string, Factory>();
/**
 * The last reader of plain columns built for each model (no nesting, ids or computed fields, a
 * top-level select), and what it was built from. A call shape repeated (a page, a get) reuses it
 * as it is: no walk, no shape key, no factory call per read.
 */
interface PlainReader {
  readonly decode: Decoder;
  readonly proto: object;
  readonly fields: readonly FieldMeta[];
  readonly reader: RowReader;
}
const lastPlain = new WeakMap<ModelMeta, PlainReader>();

/**
 * The reader built for a select planned once per shape (`planReadShaped`), by its frozen items: the
 * same frozen list is the same shape (its computed fields and nested selects with it), so a repeated
 * read finds its reader with no walk, shape key or factory call, and one row is read by it too. Kept
 * with everything else a reader is built from, each compared on use.
 */
interface KeptReader {
  readonly decode: Decoder;
  readonly proto: object;
  readonly prefix: string;
  readonly joined: ReadonlySet<SelectItem>;
  readonly branch: boolean;
  readonly computed: SelectNode["computed"];
  readonly loadOnly: SelectNode["loadOnly"];
  readonly reader: RowReader;
}
const kept = new WeakMap<readonly SelectItem[], KeptReader>();

/** Shapes kept at most (a caller building field lists at will must not grow the map for ever). */
const maxShapes = 500;
/** False once `new Function` is refused (a content security policy): the closure reader is used. */
let enabled = true;

/**
 * Turns compiled readers on or off (on by default; off, hydration builds closures per read). For
 * tests that compare both, and for hosts that forbid `new Function` yet do not throw on it.
 */
export function useCompiledReaders(on: boolean): void {
  enabled = on;
}

/** How many shapes have been compiled and are kept (for tests). */
export function compiledShapes(): number {
  return factories.size;
}

/**
 * A reader for `select`'s records, as {@link closureReader} builds it but as one function per
 * (sub)select with each column's key and field name written in: plain property stores and loads in
 * a fixed order, where the closure reader makes a keyed store and a closure call per column. The
 * function is compiled once per shape (its source) and reused; the values that differ between
 * reads of one shape (fields, prototypes, the decoder) are passed in. Nested JSON values and `ids`
 * items are read by the closure reader's own item readers. Undefined when code cannot be compiled
 * here (`new Function` refused): the caller then uses the closure reader.
 */
export function compiledReader(
  select: SelectNode,
  decode: Decoder,
  protos: Prototypes,
  prefix: string,
  joined: ReadonlySet<SelectItem>,
  branch: boolean,
): RowReader | undefined {
  if (!enabled) return undefined;
  const frozen = Object.isFrozen(select.items);
  if (frozen) {
    const known = keptReader(select, decode, protos, prefix, joined, branch);
    if (known) return known;
  }
  const plain = prefix === "" && !branch && plainColumns(select);
  const memo = plain ? lastPlain.get(select.model) : undefined;
  if (memo && memo.decode === decode && memo.proto === protos(select.model) && sameFields(memo.fields, select.items))
    return memo.reader;
  const env: Env = { classes: [], columns: [], tracked: [], extra: [], key: "" };
  gather(select, decode, protos, prefix, joined, branch, env);
  if (env.classes.includes(undefined)) return undefined;
  let factory = factories.get(env.key);
  if (!factory) {
    try {
      factory = new Function(source(select, prefix, joined, branch))() as Factory;
    } catch {
      enabled = false;
      return undefined;
    }
    if (factories.size >= maxShapes) factories.clear();
    factories.set(env.key, factory);
  }
  const reader = factory(
    decode,
    rememberFresh,
    comparable,
    env.classes as HydratedClass[],
    env.columns,
    env.tracked,
    env.extra,
  );
  if (plain) {
    const fields = select.items.map((item) => item.field);
    lastPlain.set(select.model, { decode, proto: protos(select.model), fields, reader });
  }
  if (frozen) {
    const { computed, loadOnly } = select;
    kept.set(select.items, { decode, proto: protos(select.model), prefix, joined, branch, computed, loadOnly, reader });
  }
  return reader;
}

/**
 * The reader kept for `select`'s frozen items (a shape planned once) when it was built from the same
 * decoder, prototype, prefix, joined many2ones, branch flag, computed and load-only fields; else undefined.
 */
function keptReader(
  select: SelectNode,
  decode: Decoder,
  protos: Prototypes,
  prefix: string,
  joined: ReadonlySet<SelectItem>,
  branch: boolean,
): RowReader | undefined {
  const known = kept.get(select.items);
  return known &&
    known.decode === decode &&
    known.prefix === prefix &&
    known.joined === joined &&
    known.branch === branch &&
    known.computed === select.computed &&
    known.loadOnly === select.loadOnly &&
    known.proto === protos(select.model)
    ? known.reader
    : undefined;
}

/** Whether `select` reads stored columns only: its reader depends on nothing but their fields. */
function plainColumns(select: SelectNode): boolean {
  if ((select.computed ?? []).length > 0) return false;
  for (const item of select.items) if (item.kind !== "column") return false;
  return true;
}

/** Whether `items` read exactly `fields`, in order. */
function sameFields(fields: readonly FieldMeta[], items: readonly SelectItem[]): boolean {
  if (fields.length !== items.length) return false;
  for (let i = 0; i < fields.length; i++) if ((items[i] as SelectItem).field !== fields[i]) return false;
  return true;
}

/**
 * Walks `select` as the compiled reader reads it, gathering the values its source refers to by
 * position (`env`) and a key naming the shape: what the source is written from, and nothing else.
 */
function gather(
  select: SelectNode,
  decode: Decoder,
  protos: Prototypes,
  prefix: string,
  joined: ReadonlySet<SelectItem>,
  branch: boolean,
  env: Env,
): void {
  env.classes.push(hydratedClass(protos(select.model)));
  // the baseline of save(): stored columns, ids of relations, nested many2ones (by id); not nested lists
  env.tracked.push(select.items.filter((item) => item.kind !== "nested" || !isMany(item.field)).map((i) => i.field));
  // names are written with their length first, so no name (whatever its characters) reads as another shape
  let key = `${prefix.length}:${prefix}(`;
  for (const item of select.items) {
    const name = `${item.field.name.length}:${item.field.name}`;
    if (branch && isBranchItem(item)) key += `[${name},`;
    else if (item.kind === "column") {
      const field = item.field;
      env.columns.push(decode.column ? decode.column(field) : (raw) => decode(field, raw, false));
      // a datetime's baseline value is always worked out by comparable(): not the shape of another kind
      key += `${name}${field.kind === "datetime" ? "@" : ""},`;
    } else if (item.kind === "nested" && !isMany(item.field) && joined.has(item)) {
      env.key += `${key}.`;
      key = "";
      gather(item.sub, decode, protos, prefix + item.field.name + joinedKeySeparator, joined, false, env);
    } else {
      env.extra.push(itemReader(item, decode, protos, false, prefix, joined));
      // a nested list is left out of the baseline, a many2one or an id is in it: not one shape
      key += `${item.kind === "nested" && isMany(item.field) ? "&" : "*"}${name},`;
    }
  }
  const computed = branch ? [] : (select.computed ?? []);
  if (computed.length > 0) {
    const loadOnly = select.loadOnly;
    env.extra.push((record) => derive(record, computed, loadOnly));
    key += "=";
  }
  env.key += `${key})`;
}

/**
 * The factory's source for the shape `gather` walked: values bound to locals in its order, then the
 * readers. A reader works out a record's values first, then makes the record with its baseline
 * (`new H(fields, comparables)`) and stores them; with computed fields, the baseline is taken once
 * they are derived (a compute may change what the record holds).
 */
function source(select: SelectNode, prefix: string, joined: ReadonlySet<SelectItem>, branch: boolean): string {
  const count = { h: 0, f: 0, t: 0, x: 0 };
  const functions: string[] = [];
  const write = (node: SelectNode, prefix: string, branch: boolean): number => {
    const n = functions.length;
    functions.push("");
    const h = count.h++;
    const t = count.t++;
    let body = "";
    let stores = "";
    // the baseline's values, each as its value is set
    const snapshot: string[] = [];
    node.items.forEach((item, i) => {
      const key = prefix + item.field.name;
      let value: string;
      if (branch && isBranchItem(item)) value = "[]";
      else if (item.kind === "column") value = `f${count.f++}(row[${literal(key)}])`;
      else if (item.kind === "nested" && !isMany(item.field) && joined.has(item)) {
        const inner = key + joinedKeySeparator;
        value = `row[${literal(`${inner}id`)}]==null?null:r${write(item.sub, inner, false)}(row)`;
      } else value = `x${count.x++}(row)`;
      body += `const v${i}=${value};`;
      stores += `r[${literal(item.field.name)}]=v${i};`;
      if (item.kind !== "nested" || !isMany(item.field))
        snapshot.push(comparableOf(item.field, `t${t}[${snapshot.length}]`, `v${i}`));
    });
    if (!branch && (node.computed ?? []).length > 0)
      body += `const r=new H${h}(t${t},undefined);${stores}x${count.x++}(r);M(r,t${t});return r;`;
    else body += `const r=new H${h}(t${t},[${snapshot.join(",")}]);${stores}return r;`;
    functions[n] = `function r${n}(row){${body}}`;
    return n;
  };
  write(select, prefix, branch);
  const locals: string[] = [];
  for (const [letter, array] of [
    ["h", "H"],
    ["f", "F"],
    ["t", "T"],
    ["x", "X"],
  ] as const)
    for (let i = 0; i < count[letter]; i++) locals.push(`${letter === "h" ? "H" : letter}${i}=${array}[${i}]`);
  const declare = locals.length > 0 ? `const ${locals.join(",")};` : "";
  return `"use strict";return function(D,M,C,H,F,T,X){${declare}${functions.join("")}return r0;};`;
}

/**
 * The source of {@link comparable}`(field, value)`: a value other than an object is its own
 * comparable (outside a datetime field, where a number compares as text), so only objects,
 * null and undefined make the call.
 */
function comparableOf(field: FieldMeta, fieldExpr: string, value: string): string {
  if (field.kind === "datetime") return `C(${fieldExpr},${value})`;
  return `(typeof ${value}==="object"||${value}===undefined?C(${fieldExpr},${value}):${value})`;
}

/** A string as a JavaScript string literal (JSON's quoting is valid JavaScript). */
function literal(s: string): string {
  return JSON.stringify(s);
}
