import { QueryError } from "../errors.js";
import type { ModelMeta } from "../model/model-meta.js";
import type { Id } from "../model/primary-key.js";
import { type CondNode, ast } from "./ast.js";

/**
 * The rows an update or delete touches, as core hands it from a planned call to the write path:
 * named ids, or a planned condition (none: every row the session may write). Built only inside
 * core, never taken from a caller's object, so ids and filters cannot be confused: `[]` as ids is
 * no row, while a query set's empty filter is every row.
 */
export class WriteScope {
  private constructor(
    /** The condition that selects the rows (undefined: every row). */
    readonly where: CondNode | undefined,
    /** The ids named by the caller, when the scope is a list of ids. */
    readonly ids: readonly Id[] | undefined,
    /** A single record's own update/delete: no matching row is `RecordNotFound`. */
    readonly single: boolean,
    /** The caller's filter, parsed but not yet secured: the secure step checks its fields and paths. */
    readonly filtered = false,
  ) {}

  /** These ids (deduplicated). */
  static ids(model: ModelMeta, ids: readonly Id[], single = false): WriteScope {
    // one id (a record's own write, the common call) needs no deduplication
    const unique = ids.length === 1 ? [ids[0] as Id] : [...new Set(ids)];
    return new WriteScope(unique.length === 0 ? ast.const(false) : ast.idIn(model, unique), unique, single);
  }

  /** The rows matching a planned condition; undefined means every row. */
  static where(cond: CondNode | undefined): WriteScope {
    return new WriteScope(cond, undefined, false);
  }

  /** The rows matching a caller's filter (parsed by `planFilter`; the secure step checks it). */
  static filter(cond: CondNode | undefined): WriteScope {
    return new WriteScope(cond, undefined, false, true);
  }

  /** This scope with its caller's filter secured (the condition the secure step returned). */
  secured(where: CondNode | undefined): WriteScope {
    return new WriteScope(where, this.ids, this.single);
  }

  /** Refuses anything that is not a scope core built. */
  static check(scope: unknown): WriteScope {
    if (!(scope instanceof WriteScope)) throw new QueryError("updates and deletes take a list of ids or a filter list");
    return scope;
  }
}
