import { RecordNotFound } from "../errors.js";
import type { HookOption } from "../model/binding.js";
import type { ModelMeta } from "../model/model-meta.js";
import type { CondNode } from "../query/ast.js";
import { prepareUpdate } from "../query/prepare-write.js";
import { WriteScope } from "../query/write-scope.js";
import { type SecuredWrite, secureWrite } from "../access/secure-write.js";
import type { ExecResult } from "./adapter.js";
import type { Runner } from "./runner.js";
import { relationValues, writeRelations } from "./relation-writes.js";
import { activeHooks, writeWithHooks } from "./write-hooks.js";
import { checkYears, guarded, idsOf } from "./write-guards.js";

/** The rows an UPDATE or DELETE changed, read in the statement's own reaction. */
const affectedOf = (result: ExecResult): number => Number(result.affected);

/** A single record's update or delete (`record.update()`, `Model.update(id)`) that changed nothing: it is not there. */
function found(model: ModelMeta, scope: WriteScope, changed: Promise<number>): Promise<number> {
  if (!scope.single) return changed;
  return changed.then((n) => {
    if (n === 0) throw new RecordNotFound(model.table, scope.ids?.[0]);
    return n;
  });
}

/**
 * Updates the rows of `scope` with `values`. Not an async function: the common case (no access
 * checker, hooks or relations) returns the UPDATE's own promise, its count read in the statement's
 * reaction, with no promise or `await` per layer (each costs a hook call per promise once
 * `AsyncLocalStorage` is in use, on Node 20). Never throws: a failure rejects.
 *
 * @example
 * await updateScope(db, Lead.meta, WriteScope.ids(Lead.meta, [1, 2]), { stage: "won" });
 */
export function updateScope(
  db: Runner,
  model: ModelMeta,
  scope: WriteScope,
  values: object,
  options?: HookOption,
): Promise<number> {
  try {
    WriteScope.check(scope);
    const hooks = activeHooks(model, options);
    const { set, exprs, given, reads } = prepareUpdate(model, values);
    const years = db.adapter.capabilities.yearRange;
    if (years)
      checkYears(
        model,
        set.map(([f]) => f),
        [set.map(([, v]) => v)],
        years,
      );
    const relations = relationValues(model, [values]);
    const info = { model: model.table, operation: "update" };
    const work = async (where?: CondNode) => {
      let changed = scope.ids?.length ?? 0;
      if (set.length > 0 || exprs.length > 0) {
        changed = (await db.run({ kind: "update", model, set, exprs, where }, info)).affected;
      } else if (scope.single || relations.length > 0) {
        changed = (await db.run({ kind: "count", model, where }, info)).rows[0]?.n as number;
      }
      if (scope.single && Number(changed) === 0) throw new RecordNotFound(model.table, scope.ids?.[0]);
      if (relations.length > 0) {
        const ids = scope.ids ?? (await idsOf(db, model, where));
        await writeRelations(db, ids, relations, false);
      }
      return Number(changed);
    };
    const write = (secured: SecuredWrite): Promise<number> => {
      if (scope.ids?.length === 0) return Promise.resolve(0);
      // the common case: one UPDATE and nothing around it
      if (!hooks && relations.length === 0 && !secured.rule && !secured.read && (set.length > 0 || exprs.length > 0)) {
        const where = secured.scope?.where;
        return found(model, scope, db.run({ kind: "update", model, set, exprs, where }, info, undefined, affectedOf));
      }
      const frozen = Object.freeze({ ...values }) as never;
      const run = !hooks
        ? work
        : (where?: CondNode) =>
            writeWithHooks(
              db,
              model,
              where,
              hooks.beforeUpdate && ((id) => hooks.beforeUpdate?.({ id: id as never, values: frozen })),
              hooks.afterUpdate && ((id) => hooks.afterUpdate?.({ id: id as never, values: frozen })),
              work,
              "update",
            );
      return relations.length > 0 || hooks
        ? db.atomic(() => guarded(db, model, "update", secured, run))
        : guarded(db, model, "update", secured, run);
    };
    const secured = secureWrite({ operation: "update", model, scope, given, reads }, db.accessGate());
    // without a checker the answer is at hand: no hop
    return secured instanceof Promise ? secured.then(write) : write(secured);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Deletes the rows of `scope`. Not an async function: the common case (no access checker or hooks)
 * returns the DELETE's own promise, its count read in the statement's reaction (see
 * {@link updateScope}). Never throws: a failure rejects.
 *
 * @example
 * await deleteScope(db, Lead.meta, WriteScope.ids(Lead.meta, [7]));
 */
export function deleteScope(db: Runner, model: ModelMeta, scope: WriteScope, options?: HookOption): Promise<number> {
  try {
    WriteScope.check(scope);
    const hooks = activeHooks(model, options);
    if (scope.ids?.length === 0) return Promise.resolve(0);
    const info = { model: model.table, operation: "delete" };
    const work = (where?: CondNode) => db.run({ kind: "delete", model, where }, info, undefined, affectedOf);
    const write = (secured: SecuredWrite): Promise<number> => {
      // the common case: one DELETE and nothing around it
      if (!hooks && !secured.rule && !secured.read) return found(model, scope, work(secured.scope?.where));
      const run = !hooks
        ? work
        : (where?: CondNode) =>
            writeWithHooks(
              db,
              model,
              where,
              hooks.beforeDelete && ((id) => hooks.beforeDelete?.({ id: id as never })),
              hooks.afterDelete && ((id) => hooks.afterDelete?.({ id: id as never })),
              work,
              "delete",
            );
      return found(
        model,
        scope,
        hooks
          ? db.atomic(() => guarded(db, model, "delete", secured, run))
          : guarded(db, model, "delete", secured, run),
      );
    };
    const secured = secureWrite({ operation: "delete", model, scope }, db.accessGate());
    return secured instanceof Promise ? secured.then(write) : write(secured);
  } catch (e) {
    return Promise.reject(e);
  }
}
