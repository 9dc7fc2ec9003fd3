import type { ModelMeta } from "../model/model-meta.js";
import type { CondNode } from "../query/ast.js";
import type { WriteScope } from "../query/write-scope.js";
import type { AccessGate } from "./access-gate.js";
import { secureFilter } from "./secure-read.js";

/** A planned write, as `run/` hands it to the secure step: what it sets, reads and targets. */
export type PlannedWrite =
  | {
      readonly operation: "create";
      readonly model: ModelMeta;
      /** The fields the records give. */
      readonly given: readonly string[];
      /** An upsert's update half: the fields it overwrites (it needs the update right too). */
      readonly upsert?: readonly string[];
    }
  | {
      readonly operation: "update";
      readonly model: ModelMeta;
      readonly scope: WriteScope;
      /** The fields set. */
      readonly given: readonly string[];
      /** The fields expressions read (`F("views").add(1)`). */
      readonly reads: readonly string[];
    }
  | { readonly operation: "delete"; readonly model: ModelMeta; readonly scope: WriteScope };

/** What a write may touch, once secured. */
export interface SecuredWrite {
  /** The scope with the caller's filter secured (updates and deletes). */
  readonly scope?: WriteScope;
  /** The rule of the write's operation (undefined: unrestricted). */
  readonly rule?: CondNode;
  /** The read rule of the targeted rows (updates and deletes: a row the session cannot read is not there). */
  readonly read?: CondNode;
}

const unrestricted: SecuredWrite = Object.freeze({});

/**
 * Applies access to a planned write in one step: the fields it sets (and an update's expressions
 * read) must be allowed, the caller's filter of an update or delete is secured like a read's, and
 * the rules of the operation (and, for updates and deletes, the read rule of the targeted ids) are
 * returned for the write path to bound the statement with. Throws {@link AccessDenied} as the
 * checks did before. Without a gate (no checker, or `sudo`) nothing is asked and nothing awaited.
 *
 * @example
 * const { rule } = await secureWrite({ operation: "create", model, given: ["name"] }, db.accessGate());
 */
export function secureWrite(write: PlannedWrite, gate: AccessGate | undefined): SecuredWrite | Promise<SecuredWrite> {
  if (!gate) return write.operation === "create" ? unrestricted : { scope: write.scope };
  return write.operation === "create" ? secureCreate(gate, write) : secureChange(gate, write);
}

async function secureCreate(gate: AccessGate, write: PlannedWrite & { operation: "create" }): Promise<SecuredWrite> {
  const { model, upsert } = write;
  await gate.assertFields(model, "create", write.given);
  // the update half of an upsert passes updateMany's checks: the update right and its field rules
  if (upsert) await gate.assertFields(model, "update", upsert);
  const rule = await gate.rule(model, "create");
  // a session without the update right may not upsert, whether or not a key exists
  if (upsert) await gate.rule(model, "update");
  return { rule };
}

async function secureChange(
  gate: AccessGate,
  write: PlannedWrite & { operation: "update" | "delete" },
): Promise<SecuredWrite> {
  const { model, operation } = write;
  let scope = write.scope;
  if (scope.filtered) scope = scope.secured(await secureFilter(gate, scope.where));
  if (operation === "update") {
    await gate.assertFields(model, "update", write.given);
    if (write.reads.length > 0) await gate.assertFields(model, "read", write.reads);
  }
  // no row named: nothing is written, and nothing asked
  if (scope.ids?.length === 0) return { scope };
  const rule = await gate.rule(model, operation, scope.ids);
  const read = await gate.rule(model, "read", scope.ids);
  return { scope, rule, read };
}
