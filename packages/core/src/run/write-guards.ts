import { AccessDenied, QueryError, RecordNotFound, ValidationError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { type Id, isNumericKey, rowId } from "../model/primary-key.js";
import { checkId } from "../model/validate.js";
import { matchValues } from "../access/match-values.js";
import type { Operation } from "../access/access-checker.js";
import type { SecuredWrite } from "../access/secure-write.js";
import { type CondNode, ast } from "../query/ast.js";
import { planFilter } from "../query/plan-read.js";
import type { prepareCreate } from "../query/prepare-write.js";
import { WriteScope } from "../query/write-scope.js";
import type { Runner } from "./runner.js";

/*
 * The checks the record operations run around a write: dates the database can hold, the rows a
 * bulk call targets, and the access rules bounding what a create, update or delete may touch.
 */

/**
 * Refuses dates the database cannot hold before anything is written (ClickHouse would clamp them,
 * MySQL's drivers misread years below 100; checking batch by batch at render time would leave the
 * earlier batches written).
 */
export function checkYears(
  model: ModelMeta,
  columns: readonly FieldMeta[],
  rows: readonly (readonly unknown[])[],
  [min, max]: readonly [number, number],
): void {
  columns.forEach((field, i) => {
    if (field.kind !== "datetime" && field.kind !== "date") return;
    rows.forEach((row, r) => {
      const v = row[i];
      if (v === null || v === undefined) return;
      const year = v instanceof Date ? v.getUTCFullYear() : Number(String(v).slice(0, 4));
      if (year < min || year > max) {
        const which = rows.length > 1 ? ` (record #${r})` : "";
        throw new ValidationError(
          `${model.table}.${field.name}: this database holds years ${min} to ${max}, got ${year}${which}`,
          field.name,
          model.table,
        );
      }
    });
  });
}

/** A caller's value, short, for an error message. */
export function describe(x: unknown): string {
  return x === null ? "null" : typeof x === "object" ? "an object" : typeof x;
}

/** Whether `x` has the JS type of `model`'s ids (a number, or a string for uuid and char keys). */
function idLike(model: ModelMeta, x: unknown): boolean {
  return typeof x === (isNumericKey(model.id.kind) ? "number" : "string");
}

/** After a create: every new row must satisfy the create rule, or the transaction rolls back. */
export async function assertWithin(
  db: Runner,
  model: ModelMeta,
  ids: readonly Id[],
  rule: CondNode,
  operation: Operation,
): Promise<void> {
  const where = ast.and([ast.idIn(model, ids), rule]);
  const result = await db.run({ kind: "count", model, where }, { model: model.table, operation });
  if (Number(result.rows[0]?.n ?? 0) !== ids.length) {
    throw new AccessDenied(
      `${operation} on ${model.table}: the values fall outside what this session may ${operation}`,
      model.table,
      operation,
    );
  }
}

/** Checks rows about to be inserted against the create rule, without writing them. */
export async function assertValuesWithin(
  db: Runner,
  model: ModelMeta,
  prepared: ReturnType<typeof prepareCreate>,
  rule: CondNode,
): Promise<void> {
  const probe = async (via: FieldMeta, value: unknown, cond: CondNode) => {
    const target = via.target();
    const where = ast.and([ast.idIn(target, [value as number]), cond]);
    return (
      (
        await db.run(
          { kind: "count", model: target, where, exists: true },
          { model: target.table, operation: "create" },
        )
      ).rows.length > 0
    );
  };
  for (const values of prepared.rows) {
    const row = new Map(prepared.columns.map((field, i) => [field, values[i]]));
    if (!(await matchValues(rule, row, probe))) {
      throw new AccessDenied(
        `create on ${model.table}: the values fall outside what this session may create`,
        model.table,
        "create",
      );
    }
  }
}

/**
 * The rows a public bulk call targets: a positive id, a list of ids, or a filter list, parsed
 * and checked like every filter. Nothing else is accepted (an object is never taken as a node):
 * anything else throws a `QueryError`.
 */
export function scopeOf(model: ModelMeta, target: unknown): WriteScope {
  if (idLike(model, target)) return WriteScope.ids(model, [checkId(model, target)], true);
  if (!Array.isArray(target))
    throw new QueryError(
      `${model.table}: updateMany/deleteMany take a list of ids or a filter list, got ${describe(target)}`,
    );
  if (target.length === 0) return WriteScope.ids(model, []);
  if (target.every((x) => idLike(model, x)))
    return WriteScope.ids(
      model,
      target.map((x) => checkId(model, x)),
    );
  return WriteScope.filter(planFilter(model, target) ?? ast.const(true));
}

/**
 * Runs an update or delete bounded by the access rules, so that it reveals nothing a read would
 * not: the target is first narrowed to the rows the session can read (a filter simply does not
 * match the others; a named id that is not readable is {@link RecordNotFound}, as in `get`); then
 * when any of those rows lies outside the rule of `operation`, nothing changes and
 * {@link AccessDenied} is raised.
 */
export async function guarded(
  db: Runner,
  model: ModelMeta,
  operation: "update" | "delete",
  { scope, rule, read }: SecuredWrite,
  run: (where?: CondNode) => Promise<number>,
): Promise<number> {
  if (!rule && !read) return run(scope?.where);
  const visible = ast.and([scope?.where, read]);
  return db.atomic(async () => {
    if (read && scope?.ids) await assertVisible(db, model, scope.ids, visible, operation);
    if (rule) {
      const found = await db.run(
        { kind: "count", model, where: ast.and([visible, ast.not(rule)]), exists: true },
        { model: model.table, operation },
      );
      if (found.rows.length > 0) {
        throw new AccessDenied(
          `${operation} on ${model.table}: some targeted records are outside what this session may ${operation}`,
          model.table,
          operation,
        );
      }
    }
    return run(ast.and([visible, rule]));
  });
}

/** Named ids the session cannot read are not found, exactly as `get` reports them. */
async function assertVisible(
  db: Runner,
  model: ModelMeta,
  ids: readonly Id[],
  visible: CondNode | undefined,
  operation: Operation,
): Promise<void> {
  const select = {
    kind: "select" as const,
    model,
    items: [{ kind: "column" as const, field: model.id }],
    where: visible,
    order: [],
  };
  const found = new Set(
    (await db.run(select, { model: model.table, operation })).rows.map((r) => rowId(model.id.kind, r.id)),
  );
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw new RecordNotFound(model.table, missing);
}

/** The ids of the rows `where` matches (an update writing relations to a filtered scope). */
export async function idsOf(db: Runner, model: ModelMeta, where?: CondNode): Promise<Id[]> {
  const select = {
    kind: "select" as const,
    model,
    items: [{ kind: "column" as const, field: model.id }],
    where,
    order: [],
  };
  const result = await db.run(select, { model: model.table, operation: "update" });
  return result.rows.map((r) => rowId(model.id.kind, r.id));
}
