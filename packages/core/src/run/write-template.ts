import type { ModelMeta } from "../model/model-meta.js";
import { type CondNode, type DeleteNode, type UpdateNode, ast } from "../query/ast.js";
import type { SqlCompiler } from "../sql/sql-compiler.js";
import type { CompiledQuery } from "../sql/statement.js";
import { Slot, bindAll, sameParams } from "./template-params.js";

/** What an update or delete by ids compiles to, whatever its values: the statement, a {@link Slot} per value. */
interface Template {
  readonly sql: string;
  readonly kind: CompiledQuery["kind"];
  readonly params: CompiledQuery["params"];
}

/** Longer id lists are compiled every time (MySQL's `IN (?, ...)` has a placeholder per id). */
const maxIds = 32;
/** Templates kept per model and compiler; past this they are dropped all at once. */
const maxPerModel = 256;
/** Templates by compiler (dialect and options), model and shape ({@link shapeOf} and the values' types); null: none can be made. */
const templates = new WeakMap<SqlCompiler, WeakMap<ModelMeta, Map<string, Template | null>>>();

let built = 0;

/** How many write templates have been built (a repeated shape is built once; for tests). */
export function builtWriteTemplates(): number {
  return built;
}

/**
 * An UPDATE or DELETE of rows by id, as `compiler.compile(node)` would send it, without compiling it:
 * the kept template of its shape (the kind of statement, the fields it sets, the number of ids, and
 * the JS type of each value, never the values), with this call's values encoded by the compiler.
 * Only a condition that is exactly the model's id (`=` one id, `IN` up to 32) and an update without
 * `F()` expressions have one. Undefined when the call is compiled as usual: another shape, the first
 * call of a shape (its template is built from it: compiled once with its values and once with a
 * {@link Slot} per value, and kept only when the two give the same statement and params), a compiler
 * whose statements carry more than text, params and kind (ClickHouse's row count), or a value the
 * compiler's `encode` refuses (the usual path then throws its error). Never throws.
 *
 * @example
 * // as Database.run compiles an update or delete
 * const node = { kind: "update", model: Lead.meta, set: [[stage, "won"]], where: ast.idIn(Lead.meta, [7]) };
 * const query = templateWrite(compiler, node) ?? compiler.compile(node);
 */
export function templateWrite(compiler: SqlCompiler, node: UpdateNode | DeleteNode): CompiledQuery | undefined {
  const key = shapeOf(node);
  if (key === undefined) return undefined;
  const values = valuesOf(node);
  const shape = key + typeTags(values);
  let byModel = templates.get(compiler);
  if (!byModel) templates.set(compiler, (byModel = new WeakMap()));
  let kept = byModel.get(node.model);
  if (!kept) byModel.set(node.model, (kept = new Map()));
  const template = kept.get(shape);
  if (template === undefined) {
    let reference: CompiledQuery;
    try {
      reference = compiler.compile(node);
    } catch {
      // this call's values fail: nothing is kept, the usual path throws the error
      return undefined;
    }
    if (kept.size >= maxPerModel) kept.clear();
    kept.set(shape, build(compiler, node, values, reference));
    return reference;
  }
  if (template === null) return undefined;
  try {
    return { sql: template.sql, params: bindAll(template.params, values, compiler), kind: template.kind };
  } catch {
    // a value the compiler's encode refuses: the usual path throws its error
    return undefined;
  }
}

/**
 * The shape of a call whose condition is exactly `id = x` or `id IN (...)` on the model's key (as
 * `ast.idIn` builds it), and which sets no `F()` expression: the kind, each set field, `=` or the
 * number of ids. Undefined for any other call.
 */
function shapeOf(node: UpdateNode | DeleteNode): string | undefined {
  const where = node.where;
  if (where === undefined) return undefined;
  let key = "d";
  if (node.kind === "update") {
    if (node.exprs !== undefined && node.exprs.length > 0) return undefined;
    key = "u";
    for (let i = 0; i < node.set.length; i++) key += `,${(node.set[i] as UpdateNode["set"][number])[0].name}`;
  }
  const id = node.model.id;
  if (where.kind === "cmp" && where.op === "=" && where.field === id) return `${key}|=:`;
  if (where.kind === "in" && !where.negate && where.field === id && where.values.length <= maxIds)
    return `${key}|in${where.values.length}:`;
  return undefined;
}

/** The call's values in the order its template's slots number them: set values, then ids. */
function valuesOf(node: UpdateNode | DeleteNode): unknown[] {
  const values: unknown[] = [];
  if (node.kind === "update") for (let i = 0; i < node.set.length; i++) values.push(node.set[i]?.[1]);
  const where = node.where as CondNode;
  if (where.kind === "cmp") values.push(where.value);
  else if (where.kind === "in") for (let i = 0; i < where.values.length; i++) values.push(where.values[i]);
  return values;
}

/** The JS type of every value, a letter each. */
function typeTags(values: readonly unknown[]): string {
  let tags = "";
  for (let i = 0; i < values.length; i++) tags += typeTag(values[i]);
  return tags;
}

/** One letter per kind of value a compiler may render differently (null, a date, bytes, a list, ...). */
function typeTag(value: unknown): string {
  if (value === null) return "0";
  switch (typeof value) {
    case "string":
      return "s";
    case "number":
      return "n";
    case "boolean":
      return "t";
    case "bigint":
      return "i";
    case "object":
      if (value instanceof Date) return "D";
      if (value instanceof Uint8Array) return "B";
      return Array.isArray(value) ? "A" : "O";
    default:
      // undefined, a symbol or a function never passes validation; a letter of its own all the same
      return "?";
  }
}

/**
 * The template of `node`: compiled with a {@link Slot} per value (set values first, then ids, as
 * `values` lists them); null when that does not give `reference` back with this call's values.
 */
function build(
  compiler: SqlCompiler,
  node: UpdateNode | DeleteNode,
  values: readonly unknown[],
  reference: CompiledQuery,
): Template | null {
  // a statement that carries more than its text and params (ClickHouse's row count) is compiled every time
  if (Object.keys(reference).length !== 3) return null;
  const first = node.kind === "update" ? node.set.length : 0;
  const where = slotted(node.where as CondNode, first);
  let query: CompiledQuery;
  try {
    query =
      node.kind === "update"
        ? compiler.compile({ ...node, set: node.set.map(([field], i) => [field, new Slot(i, field)] as const), where })
        : compiler.compile({ ...node, where });
  } catch {
    // a compiler that reads a value itself (a JSON field's value is encoded as text): no template
    return null;
  }
  const template: Template = Object.freeze({ sql: query.sql, kind: query.kind, params: Object.freeze(query.params) });
  let params: CompiledQuery["params"];
  try {
    params = bindAll(template.params, values, compiler);
  } catch {
    return null;
  }
  if (query.sql !== reference.sql || query.kind !== reference.kind || !sameParams(params, reference.params))
    return null;
  built++;
  return template;
}

/** The id condition with a {@link Slot} per id, numbered after the `first` set values (ids come last). */
function slotted(where: CondNode, first: number): CondNode {
  if (where.kind === "cmp") return ast.seal({ ...where, value: new Slot(first, where.field) });
  if (where.kind !== "in") return where;
  return ast.seal({ ...where, values: Object.freeze(where.values.map((_, i) => new Slot(first + i, where.field))) });
}
