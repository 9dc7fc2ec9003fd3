import { AccessDenied, QueryError } from "../errors.js";
import type { ModelMeta } from "../model/model-meta.js";
import type { CondNode } from "../query/ast.js";
import { parseFilter } from "../query/parse-filter.js";
import { sessionStore } from "../run/context.js";
import type { AccessChecker, Operation } from "./access-checker.js";

/**
 * Applies the access checker for the current session. Every pipeline step that touches rows asks it
 * first; nothing reaches SQL without passing here.
 */
export class AccessGate {
  constructor(private readonly checker: AccessChecker | undefined) {}

  /** Whether checks apply right now (a checker is configured and we are not in `sudo`). */
  get active(): boolean {
    return this.checker !== undefined && sessionStore.getStore()?.sudo !== true;
  }

  /**
   * The rule for `operation` on `model`: undefined when unrestricted, a condition to AND in when the
   * checker returned a filter. Throws {@link AccessDenied} when the checker said no.
   */
  rule(model: ModelMeta, operation: Operation, ids?: readonly (number | string)[]): Promise<CondNode | undefined> {
    // without a checker (or in sudo) no async work at all: every planned call asks several times
    return this.active ? this.checkedRule(model, operation, ids) : noRule;
  }

  private async checkedRule(model: ModelMeta, operation: Operation, ids: readonly (number | string)[] | undefined): Promise<CondNode | undefined> {
    const session = sessionStore.getStore()?.session;
    const answer = await this.checker!.check({ session, model: model.table, operation, ids });
    if (answer === true) return undefined;
    if (answer === false || answer === undefined || answer === null) {
      throw new AccessDenied(`${operation} on ${model.table} is not allowed for this session`, model.table, operation);
    }
    try {
      return parseFilter(model, answer) ?? undefined;
    } catch (e) {
      throw new QueryError(`the access rule for ${operation} on ${model.table} is not a valid filter: ${(e as Error).message}`, undefined, { cause: e });
    }
  }

  /** Fields the session may not read or write on `model` (empty when unrestricted). */
  deniedFields(model: ModelMeta, operation: Operation, fields: readonly string[]): Promise<ReadonlySet<string>> {
    if (!this.active || !this.checker!.deniedFields || fields.length === 0) return noneDenied;
    return this.checkedFields(model, operation, fields);
  }

  private async checkedFields(model: ModelMeta, operation: Operation, fields: readonly string[]): Promise<ReadonlySet<string>> {
    const session = sessionStore.getStore()?.session;
    const denied = await (this.checker as Required<AccessChecker>).deniedFields({ session, model: model.table, operation, fields });
    return denied.length === 0 ? empty : new Set(denied);
  }

  /** Throws when any of `fields` is denied for `operation`. */
  assertFields(model: ModelMeta, operation: Operation, fields: readonly string[]): Promise<void> {
    if (!this.active || !this.checker!.deniedFields || fields.length === 0) return allowed;
    return this.checkedAssert(model, operation, fields);
  }

  private async checkedAssert(model: ModelMeta, operation: Operation, fields: readonly string[]): Promise<void> {
    const denied = await this.deniedFields(model, operation, fields);
    for (const name of fields) {
      if (denied.has(name)) {
        throw new AccessDenied(`${operation} of field ${model.table}.${name} is not allowed for this session`, model.table, operation, name);
      }
    }
  }
}

const empty: ReadonlySet<string> = new Set();
// settled answers shared by every unchecked call (awaiting them allocates no promise of their own)
const noRule: Promise<undefined> = Promise.resolve(undefined);
const noneDenied: Promise<ReadonlySet<string>> = Promise.resolve(empty);
const allowed: Promise<void> = Promise.resolve();
