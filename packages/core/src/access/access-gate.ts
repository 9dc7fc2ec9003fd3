import { AccessDenied, QueryError } from "../errors.js";
import type { ModelMeta } from "../model/model-meta.js";
import type { CondNode } from "../query/ast.js";
import { parseFilter } from "../query/parse-filter.js";
import type { AccessChecker, Operation } from "./access-checker.js";

/**
 * The access checker's answers for one call of one session: `run/` makes a gate per call (none
 * without a checker, or in `sudo`) and hands it to the secure step with the planned call. The
 * checker is asked once per model and operation (and ids) in the call; later questions reuse the
 * answer, so a read that reaches the same model through several paths asks once.
 */
export class AccessGate {
  private readonly rules = new Map<
    ModelMeta,
    { operation: Operation; ids: unknown; answer: Promise<CondNode | undefined> }[]
  >();
  private readonly denials = new Map<ModelMeta, Map<Operation, Promise<ReadonlySet<string>>>>();

  /**
   * @param checker the configured checker
   * @param session the call's session (from `db.withSession`), passed in by `run/`
   */
  constructor(
    private readonly checker: AccessChecker,
    private readonly session: unknown,
  ) {}

  /**
   * The rule for `operation` on `model`: undefined when unrestricted, a condition to AND in when the
   * checker returned a filter. Rejects with {@link AccessDenied} when the checker said no.
   */
  rule(model: ModelMeta, operation: Operation, ids?: readonly (number | string)[]): Promise<CondNode | undefined> {
    let asked = this.rules.get(model);
    if (!asked) this.rules.set(model, (asked = []));
    const known = asked.find((a) => a.operation === operation && a.ids === ids);
    if (known) return known.answer;
    const answer = this.ask(model, operation, ids);
    asked.push({ operation, ids, answer });
    return answer;
  }

  private async ask(
    model: ModelMeta,
    operation: Operation,
    ids: readonly (number | string)[] | undefined,
  ): Promise<CondNode | undefined> {
    const answer = await this.checker.check({ session: this.session, model: model.table, operation, ids });
    if (answer === true) return undefined;
    if (answer === false || answer === undefined || answer === null) {
      throw new AccessDenied(`${operation} on ${model.table} is not allowed for this session`, model.table, operation);
    }
    try {
      return parseFilter(model, answer) ?? undefined;
    } catch (e) {
      throw new QueryError(
        `the access rule for ${operation} on ${model.table} is not a valid filter: ${(e as Error).message}`,
        undefined,
        { cause: e },
      );
    }
  }

  /**
   * Of `fields`, those the session may not read or write on `model` (empty when unrestricted). The
   * checker is asked once per model and operation, about every field of the model.
   */
  deniedFields(model: ModelMeta, operation: Operation, fields: readonly string[]): Promise<ReadonlySet<string>> {
    if (!this.checker.deniedFields || fields.length === 0) return noneDenied;
    let byOperation = this.denials.get(model);
    if (!byOperation) this.denials.set(model, (byOperation = new Map()));
    let denied = byOperation.get(operation);
    if (!denied) byOperation.set(operation, (denied = this.askFields(model, operation)));
    return denied;
  }

  private async askFields(model: ModelMeta, operation: Operation): Promise<ReadonlySet<string>> {
    const fields = [...model.fields.keys()];
    const denied = await (this.checker as Required<AccessChecker>).deniedFields({
      session: this.session,
      model: model.table,
      operation,
      fields,
    });
    return denied.length === 0 ? empty : new Set(denied);
  }

  /** Rejects with {@link AccessDenied} when any of `fields` is denied for `operation`. */
  async assertFields(model: ModelMeta, operation: Operation, fields: readonly string[]): Promise<void> {
    const denied = await this.deniedFields(model, operation, fields);
    for (const name of fields) {
      if (denied.has(name)) {
        throw new AccessDenied(
          `${operation} of field ${model.table}.${name} is not allowed for this session`,
          model.table,
          operation,
          name,
        );
      }
    }
  }
}

const empty: ReadonlySet<string> = new Set();
const noneDenied: Promise<ReadonlySet<string>> = Promise.resolve(empty);
