import { QueryError } from "../errors.js";
import type { ModelHooks } from "../model/hooks.js";
import type { ModelMeta } from "../model/model-meta.js";
import { type Id, rowId } from "../model/primary-key.js";
import { type CondNode, ast } from "../query/ast.js";
import type { Runner } from "./runner.js";

/**
 * The hooks a write runs: none when the model declares none or the call passes `{ hooks: false }`.
 * Hooks belong to the call's model: relation commands run the hooks of their own model.
 */
export function activeHooks(model: ModelMeta, options: unknown): ModelHooks | undefined {
  const flag = typeof options === "object" && options !== null ? (options as { hooks?: unknown }).hooks : undefined;
  if (flag !== undefined && typeof flag !== "boolean")
    throw new QueryError(`the "hooks" option is true or false, got ${typeof flag}`, "hooks");
  const hooks = model.options.hooks;
  return flag === false || !hooks || !Object.values(hooks).some((h) => typeof h === "function") ? undefined : hooks;
}

/**
 * A create with hooks, in one transaction: `beforeCreate` on a copy of every record's values (the
 * caller's objects are never changed), then the insert of all of them, then `afterCreate` per record.
 */
export function createWithHooks(
  db: Runner,
  hooks: ModelHooks,
  values: readonly unknown[],
  insert: (values: unknown[]) => Promise<Id[]>,
): Promise<Id[]> {
  return db.atomic(async () => {
    // anything but a plain object is left as given, for validation to refuse with its usual error
    const copies = values.map((v) => (typeof v === "object" && v !== null && !Array.isArray(v) ? { ...v } : v));
    if (hooks.beforeCreate)
      for (const v of copies) if (typeof v === "object" && v !== null) await hooks.beforeCreate({ values: v as never });
    const ids = await insert(copies);
    if (hooks.afterCreate)
      for (const [i, id] of ids.entries()) await hooks.afterCreate({ id: id as never, values: copies[i] as never });
    return ids;
  });
}

/**
 * An update or delete with hooks (the caller runs it in a transaction): the ids the write reaches
 * are read first, the `before` hook runs for each, the write is bounded to exactly those rows (a row
 * that starts to match meanwhile is not touched without its hook), then the `after` hook runs for each.
 */
export async function writeWithHooks(
  db: Runner,
  model: ModelMeta,
  where: CondNode | undefined,
  before: ((id: Id) => void | Promise<void>) | undefined,
  after: ((id: Id) => void | Promise<void>) | undefined,
  write: (where?: CondNode) => Promise<number>,
  operation: "update" | "delete",
): Promise<number> {
  const select = {
    kind: "select" as const,
    model,
    items: [{ kind: "column" as const, field: model.id }],
    where,
    order: [],
  };
  const ids = (await db.run(select, { model: model.table, operation })).rows.map((r) => rowId(model.id.kind, r.id));
  if (before) for (const id of ids) await before(id);
  const changed = await write(ast.and([where, ids.length > 0 ? ast.idIn(model, ids) : ast.const(false)]));
  if (after) for (const id of ids) await after(id);
  return changed;
}
