import { AccessDenied, QueryError } from "../errors.js";
import type { ModelMeta } from "../model/model-meta.js";
import type { CondNode } from "../query/ast.js";
import { parseFilter } from "../query/parse-filter.js";
import type { AccessChecker, Operation } from "./access-checker.js";
import { type Maybe, isThenable } from "./steps.js";

/**
 * The access checker's answers for one call of one session: `run/` makes a gate per call (none
 * without a checker, or in `sudo`) and hands it to the secure step with the planned call. The
 * checker is asked once per model and operation (and ids) in the call; later questions reuse the
 * answer, so a read that reaches the same model through several paths asks once.
 */
export class AccessGate {
  private readonly rules = new Map<ModelMeta, Asked[]>();
  private readonly denials = new Map<ModelMeta, Map<Operation, Maybe<ReadonlySet<string>>>>();

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
    try {
      return Promise.resolve(this.ruleNow(model, operation, ids));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * {@link AccessGate.rule}, answered at once when the checker answers at once (the secure step's
   * path: no promise per question); throws {@link AccessDenied} then instead of rejecting.
   */
  ruleNow(model: ModelMeta, operation: Operation, ids?: readonly (number | string)[]): Maybe<CondNode | undefined> {
    let asked = this.rules.get(model);
    if (!asked) this.rules.set(model, (asked = []));
    const known = asked.find((a) => a.operation === operation && a.ids === ids);
    if (known) {
      if (known.failed) throw known.error;
      return known.answer;
    }
    const entry: Asked = { operation, ids, answer: undefined, failed: false, error: undefined };
    asked.push(entry);
    try {
      entry.answer = this.ask(model, operation, ids);
    } catch (e) {
      entry.failed = true;
      entry.error = e;
      throw e;
    }
    return entry.answer;
  }

  private ask(
    model: ModelMeta,
    operation: Operation,
    ids: readonly (number | string)[] | undefined,
  ): Maybe<CondNode | undefined> {
    const answer = this.checker.check({ session: this.session, model: model.table, operation, ids });
    return isThenable(answer)
      ? Promise.resolve(answer).then((a) => ruleFrom(model, operation, a))
      : ruleFrom(model, operation, answer);
  }

  /**
   * Of `fields`, those the session may not read or write on `model` (empty when unrestricted). The
   * checker is asked once per model and operation, about every field of the model.
   */
  deniedFields(model: ModelMeta, operation: Operation, fields: readonly string[]): Promise<ReadonlySet<string>> {
    try {
      return Promise.resolve(this.deniedNow(model, operation, fields));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** {@link AccessGate.deniedFields}, answered at once when the checker answers at once. */
  deniedNow(model: ModelMeta, operation: Operation, fields: readonly string[]): Maybe<ReadonlySet<string>> {
    if (!this.checker.deniedFields || fields.length === 0) return empty;
    let byOperation = this.denials.get(model);
    if (!byOperation) this.denials.set(model, (byOperation = new Map()));
    let denied = byOperation.get(operation);
    if (denied === undefined) {
      try {
        denied = this.askFields(model, operation);
      } catch (e) {
        // kept as the rejection it was before answers could come at once
        denied = Promise.reject(e);
        denied.catch(() => {});
      }
      byOperation.set(operation, denied);
    }
    return denied;
  }

  private askFields(model: ModelMeta, operation: Operation): Maybe<ReadonlySet<string>> {
    const fields = [...model.fields.keys()];
    const denied = (this.checker as Required<AccessChecker>).deniedFields({
      session: this.session,
      model: model.table,
      operation,
      fields,
    });
    return isThenable(denied) ? Promise.resolve(denied).then(deniedSet) : deniedSet(denied);
  }

  /** Rejects with {@link AccessDenied} when any of `fields` is denied for `operation`. */
  async assertFields(model: ModelMeta, operation: Operation, fields: readonly string[]): Promise<void> {
    assertAllowed(model, operation, fields, await this.deniedFields(model, operation, fields));
  }
}

/** One question asked of the checker in a call, with its answer (or the error it ended with). */
interface Asked {
  readonly operation: Operation;
  readonly ids: unknown;
  answer: Maybe<CondNode | undefined>;
  failed: boolean;
  error: unknown;
}

function ruleFrom(model: ModelMeta, operation: Operation, answer: unknown): CondNode | undefined {
  if (answer === true) return undefined;
  if (answer === false || answer === undefined || answer === null) {
    throw new AccessDenied(`${operation} on ${model.table} is not allowed for this session`, model.table, operation);
  }
  try {
    return parseFilter(model, answer as unknown[]) ?? undefined;
  } catch (e) {
    throw new QueryError(
      `the access rule for ${operation} on ${model.table} is not a valid filter: ${(e as Error).message}`,
      undefined,
      { cause: e },
    );
  }
}

const deniedSet = (denied: readonly string[]): ReadonlySet<string> => (denied.length === 0 ? empty : new Set(denied));

/** Throws {@link AccessDenied} when any of `fields` is in `denied`. */
export function assertAllowed(
  model: ModelMeta,
  operation: Operation,
  fields: readonly string[],
  denied: ReadonlySet<string>,
): void {
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

const empty: ReadonlySet<string> = new Set();
