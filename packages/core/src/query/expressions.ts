import { QueryError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import type { CondNode, ExprNode } from "./ast.js";
import { type ArithmeticOp, type FieldRef, isFieldRef, refFields } from "../model/field-ref.js";
import { shown } from "../model/shown.js";

export { type ArithmeticOp, F, FieldRef, isFieldRef, refFields } from "../model/field-ref.js";

const sqlOps: Readonly<Record<ArithmeticOp, "+" | "-" | "*" | "/">> = { add: "+", sub: "-", mul: "*", div: "/" };
const numericKinds = new Set(["integer", "smallInteger", "bigInteger", "float", "decimal"]);
const integerKinds = new Set(["integer", "smallInteger", "bigInteger"]);

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
    if (bad)
      throw new QueryError(
        `F() arithmetic works on numeric fields; ${model.table}.${bad.name} is a ${bad.kind} field`,
        bad.name,
      );
  } else {
    const [field] = fields as [FieldMeta];
    const same = field.kind === target.kind || (numericKinds.has(field.kind) && numericKinds.has(target.kind));
    if (!same)
      throw new QueryError(
        `F("${field.name}") is a ${field.kind} field; ${target.name} is ${target.kind}: compare or copy fields of the same kind`,
        target.name,
      );
  }
  const integral = all.every((f) => integerKinds.has(f.kind));
  return build(ref, fields, integral, { i: 0 });
}

function build(ref: FieldRef, fields: readonly FieldMeta[], integral: boolean, at: { i: number }): ExprNode {
  const root = fields[at.i++] as FieldMeta;
  let node: ExprNode = { kind: "field", field: root };
  for (const [op, value] of ref.steps) {
    if (!(op in sqlOps)) throw new QueryError(`F("${ref.field}"): unknown operation ${shown(op)}`, ref.field);
    if (op === "div" && integral)
      throw new QueryError(
        `F("${ref.field}").div(): integer division differs between databases; divide float or decimal fields`,
        ref.field,
      );
    let right: ExprNode;
    if (isFieldRef(value)) right = build(value, fields, integral, at);
    else if (typeof value === "number" && Number.isFinite(value) && (!integral || Number.isSafeInteger(value)))
      right = { kind: "value", value, field: root };
    else
      throw new QueryError(
        `F("${ref.field}").${op}() takes ${integral ? "an integer" : "a finite number"} or another F(), got ${shown(value)}`,
        ref.field,
      );
    node = { kind: "arith", op: sqlOps[op], left: node, right };
  }
  return node;
}

const cmpOps: Readonly<Record<string, "=" | "<>" | ">" | ">=" | "<" | "<=">> = {
  "=": "=",
  "!=": "<>",
  ">": ">",
  ">=": ">=",
  "<": "<",
  "<=": "<=",
};

/**
 * A condition comparing a field of `model` with an {@link F} expression over the same record.
 * `!=` also matches rows where either side is NULL, like every negative operator.
 */
export function exprCondition(model: ModelMeta, field: FieldMeta, op: string, ref: FieldRef, path: string): CondNode {
  if (field.model !== model)
    throw new QueryError(
      `F() compares fields of the same record; "${path}" is on ${field.model.table}, not ${model.table}`,
      path,
    );
  const sqlOp = cmpOps[op];
  if (!sqlOp) throw new QueryError(`"${op}" on "${path}" cannot take F(); use = != > >= < or <=`, path);
  const node: CondNode = {
    kind: "cmpExpr",
    field,
    op: sqlOp === "<>" ? "=" : sqlOp,
    expr: planExpr(model, ref, field),
  };
  return sqlOp === "<>" ? { kind: "not", item: node } : node;
}

/** The fields an expression reads. */
export function exprFields(node: ExprNode): FieldMeta[] {
  return node.kind === "arith"
    ? [...exprFields(node.left), ...exprFields(node.right)]
    : node.kind === "field"
      ? [node.field]
      : [];
}
