import type { FieldMeta } from "../model/model-meta.js";
import type { ExprNode } from "../query/ast.js";
import { QueryError } from "../errors.js";

/** The only arithmetic operators SQL is written with (a node's own string is never spliced). */
const arithmetic: Readonly<Record<string, string>> = Object.freeze({ "+": "+", "-": "-", "*": "*", "/": "/" });

/** How a compiler renders the leaves of an expression. */
export interface ExprHost {
  /** A column of the row (qualified or not, as the statement needs). */
  column(field: FieldMeta): string;
  /** A bound value, typed like `field`. */
  param(value: unknown, field: FieldMeta): string;
}

/**
 * Renders an `F` expression: parenthesised arithmetic over columns and bound numbers. Operators
 * come from the planner's fixed table, never from input.
 */
export function renderExpr(node: ExprNode, host: ExprHost): string {
  switch (node.kind) {
    case "field":
      return host.column(node.field);
    case "value":
      return host.param(node.value, node.field);
    case "arith": {
      const op = Object.hasOwn(arithmetic, node.op) ? arithmetic[node.op] : undefined;
      if (op === undefined)
        throw new QueryError(
          `unknown arithmetic operator ${JSON.stringify(node.op)}: expressions are built by F() only`,
        );
      return `(${renderExpr(node.left, host)} ${op} ${renderExpr(node.right, host)})`;
    }
    default:
      throw new QueryError(`unknown expression ${JSON.stringify((node as { kind?: unknown }).kind)}`);
  }
}
