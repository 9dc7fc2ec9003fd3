import { QueryError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import type { CondNode, ExprNode } from "./ast.js";

/** Arithmetic an {@link F} expression may use: a fixed table, nothing else reaches SQL. */
export type ArithmeticOp = "add" | "sub" | "mul" | "div";

const sqlOps: Readonly<Record<ArithmeticOp, "+" | "-" | "*" | "/">> = { add: "+", sub: "-", mul: "*", div: "/" };
const numericKinds = new Set(["integer", "smallInteger", "bigInteger", "float", "decimal"]);
const integerKinds = new Set(["integer", "smallInteger", "bigInteger"]);
/** Expressions made by {@link F} (an object shaped like one, made elsewhere, is not taken as one). */
const made = new WeakSet<object>();
const maxSteps = 32;

type Step = readonly [ArithmeticOp, number | FieldRef];

/**
 * A reference to a field of the same record, with arithmetic: what {@link F} returns. Immutable;
 * each method returns a new expression.
 */
export class FieldRef<N extends string = string> {
  /** @internal */
  readonly steps: readonly Step[];
  private constructor(
    readonly field: N,
    steps: readonly Step[],
  ) {
    this.steps = Object.freeze([...steps]);
    made.add(this);
    Object.freeze(this);
  }

  /** @internal */
  static of<N extends string>(field: N, steps: readonly Step[] = []): FieldRef<N> {
    return new FieldRef(field, steps);
  }

  private step<M extends string>(op: ArithmeticOp, value: number | FieldRef<M>): FieldRef<N | M> {
    if (this.steps.length >= maxSteps) throw new QueryError(`F("${this.field}") has more than ${maxSteps} operations`, this.field);
    return FieldRef.of<N | M>(this.field, [...this.steps, [op, value]]);
  }

  /** `field + value`. */
  add<M extends string = never>(value: number | FieldRef<M>): FieldRef<N | M> {
    return this.step("add", value);
  }
  /** `field - value`. */
  sub<M extends string = never>(value: number | FieldRef<M>): FieldRef<N | M> {
    return this.step("sub", value);
  }
  /** `field * value`. */
  mul<M extends string = never>(value: number | FieldRef<M>): FieldRef<N | M> {
    return this.step("mul", value);
  }
  /** `field / value` (float and decimal fields only: integer division differs between databases). */
  div<M extends string = never>(value: number | FieldRef<M>): FieldRef<N | M> {
    return this.step("div", value);
  }
}

/**
 * A field of the same record, for atomic updates and field-to-field filters (Django's `F`): the
 * database computes the value, so concurrent increments are never lost. Arithmetic (`add`, `sub`,
 * `mul`, `div`) works on numeric fields; the names are checked against the model and the session's
 * field access when the query runs.
 *
 * @example
 * await Post.query().filter({ id: 7 }).update({ views: F("views").add(1) });   // one UPDATE, no read
 * await Product.query().filter({ stock__lt: F("reserved") });                   // compares two columns
 */
export function F<const N extends string>(field: N): FieldRef<N> {
  if (typeof field !== "string" || field === "") throw new QueryError("F() takes a field name");
  return FieldRef.of(field);
}

/** Whether `value` is an expression made by {@link F}. */
export function isFieldRef(value: unknown): value is FieldRef {
  return typeof value === "object" && value !== null && made.has(value);
}

/** The field names an expression reads. */
export function refFields(ref: FieldRef): string[] {
  return [ref.field, ...ref.steps.flatMap(([, v]) => (isFieldRef(v) ? refFields(v) : []))];
}

/**
 * Resolves an {@link F} expression against `model`, for a value of `target` (the field written or
 * compared): names must be stored fields, arithmetic needs numeric fields, integer arithmetic takes
 * integer operands and no division. Throws {@link QueryError} naming the field.
 */
export function planExpr(model: ModelMeta, ref: FieldRef, target: FieldMeta): ExprNode {
  const names = refFields(ref);
  const fields = names.map((name) => {
    const field = model.fields.get(name);
    if (!field?.stored) throw new QueryError(`F("${name}"): ${model.table} has no stored field "${name}"`, name);
    return field;
  });
  const arithmetic = ref.steps.length > 0;
  const all = [target, ...fields];
  if (arithmetic) {
    const bad = all.find((f) => !numericKinds.has(f.kind));
    if (bad) throw new QueryError(`F() arithmetic works on numeric fields; ${model.table}.${bad.name} is a ${bad.kind} field`, bad.name);
  } else {
    const [field] = fields as [FieldMeta];
    const same = field.kind === target.kind || (numericKinds.has(field.kind) && numericKinds.has(target.kind));
    if (!same) throw new QueryError(`F("${field.name}") is a ${field.kind} field; ${target.name} is ${target.kind}: compare or copy fields of the same kind`, target.name);
  }
  const integral = all.every((f) => integerKinds.has(f.kind));
  return build(ref, fields, integral, { i: 0 });
}

function build(ref: FieldRef, fields: readonly FieldMeta[], integral: boolean, at: { i: number }): ExprNode {
  const root = fields[at.i++] as FieldMeta;
  let node: ExprNode = { kind: "field", field: root };
  for (const [op, value] of ref.steps) {
    if (!(op in sqlOps)) throw new QueryError(`F("${ref.field}"): unknown operation ${JSON.stringify(op)}`, ref.field);
    if (op === "div" && integral) throw new QueryError(`F("${ref.field}").div(): integer division differs between databases; divide float or decimal fields`, ref.field);
    let right: ExprNode;
    if (isFieldRef(value)) right = build(value, fields, integral, at);
    else if (typeof value === "number" && Number.isFinite(value) && (!integral || Number.isSafeInteger(value))) right = { kind: "value", value, field: root };
    else throw new QueryError(`F("${ref.field}").${op}() takes ${integral ? "an integer" : "a finite number"} or another F(), got ${JSON.stringify(value)}`, ref.field);
    node = { kind: "arith", op: sqlOps[op], left: node, right };
  }
  return node;
}

const cmpOps: Readonly<Record<string, "=" | "<>" | ">" | ">=" | "<" | "<=">> = { "=": "=", "!=": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<=" };

/**
 * A condition comparing a field of `model` with an {@link F} expression over the same record.
 * `!=` also matches rows where either side is NULL, like every negative operator.
 */
export function exprCondition(model: ModelMeta, field: FieldMeta, op: string, ref: FieldRef, path: string): CondNode {
  if (field.model !== model) throw new QueryError(`F() compares fields of the same record; "${path}" is on ${field.model.table}, not ${model.table}`, path);
  const sqlOp = cmpOps[op];
  if (!sqlOp) throw new QueryError(`"${op}" on "${path}" cannot take F(); use = != > >= < or <=`, path);
  const node: CondNode = { kind: "cmpExpr", field, op: sqlOp === "<>" ? "=" : sqlOp, expr: planExpr(model, ref, field) };
  return sqlOp === "<>" ? { kind: "not", item: node } : node;
}

/** The fields an expression reads. */
export function exprFields(node: ExprNode): FieldMeta[] {
  return node.kind === "arith" ? [...exprFields(node.left), ...exprFields(node.right)] : node.kind === "field" ? [node.field] : [];
}
