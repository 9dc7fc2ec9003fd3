import { QueryError } from "../errors.js";

/** Arithmetic an {@link F} expression may use: a fixed table, nothing else reaches SQL. */
export type ArithmeticOp = "add" | "sub" | "mul" | "div";

/** Expressions made by {@link F} (an object shaped like one, made elsewhere, is not taken as one). */
const made = new WeakSet<object>();
const maxSteps = 32;

/** One arithmetic step of an expression: the operation and its operand. */
export type Step = readonly [ArithmeticOp, number | FieldRef];

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
    if (this.steps.length >= maxSteps)
      throw new QueryError(`F("${this.field}") has more than ${maxSteps} operations`, this.field);
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
