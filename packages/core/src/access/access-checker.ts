import type { Filter } from "../query/filter-types.js";

/** The four operations access control distinguishes. */
export type Operation = "read" | "create" | "update" | "delete";

/** What the checker is asked. */
export interface AccessRequest<S = unknown> {
  /** The current session (`db.withSession`), or undefined outside one. */
  readonly session: S | undefined;
  /** The model's table name. */
  readonly model: string;
  readonly operation: Operation;
  /** The ids involved, when the call names them. */
  readonly ids?: readonly (number | string)[];
}

/**
 * The access-control hook. `check` answers `true` (allowed), `false` (denied) or a filter (allowed on
 * the rows it matches: ANDed into reads, and bounding what update, delete and create may touch).
 *
 * @example
 * const access: AccessChecker<{ userId: number }> = {
 *   check: ({ session, model, operation }) =>
 *     model === "leads" && operation === "read" ? [["user_id", "=", session?.userId ?? 0]] : true,
 * };
 */
export interface AccessChecker<S = unknown> {
  check(request: AccessRequest<S>): boolean | Filter<any> | Promise<boolean | Filter<any>>;
  /**
   * Fields this session may not read or write on the model, of `fields` (every field of the model:
   * asked once per model and operation in a call, whatever the call names).
   */
  deniedFields?(
    request: AccessRequest<S> & { readonly fields: readonly string[] },
  ): readonly string[] | Promise<readonly string[]>;
}
