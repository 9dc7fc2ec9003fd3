import { f } from "../model/f.js";
import type { AnyModel } from "../model/model-meta.js";
import { model } from "../define/model.js";
import type { Operation } from "./access-checker.js";
import type { ModelRight, RecordRule, RoleDef, RolesConfig } from "./roles-checker.js";

/**
 * The access tables of FARA CRM as models: roles (with inherited roles), access lists (model
 * rights per role, or for everyone when the role is empty) and record rules (a JSON filter per
 * role and operation; global when the role is empty). Pass `models` to `connect` and
 * {@link rolesFromTables} to `rolesChecker` to administer access as data.
 *
 * @example
 * const access = accessModels();
 * const db = await connect(adapter, { models: [...appModels, ...access.models], access: rolesChecker(
 *   { load: rolesFromTables(access, () => db), ttlMs: 30_000 },
 *   { rolesOf: (s) => s.roles, context: (s) => ({ user_id: s.userId }) },
 * ) });
 */
export function accessModels(prefix = "") {
  const Role = model(`${prefix}roles`, {
    code: f.char({ maxLength: 100, required: true, unique: true }),
    name: f.char({ maxLength: 255 }),
    based_role_ids: f.many2many((): AnyModel => Role, {
      table: `${prefix}role_inherits`,
      column1: "role_id",
      column2: "based_role_id",
    }),
  });
  const AccessList = model(`${prefix}access_list`, {
    model: f.char({ maxLength: 100, required: true, index: true }),
    role_id: f.many2one(() => Role, { onDelete: "cascade" }),
    perm_read: f.boolean({ default: false }),
    perm_create: f.boolean({ default: false }),
    perm_update: f.boolean({ default: false }),
    perm_delete: f.boolean({ default: false }),
  });
  const Rule = model(`${prefix}rules`, {
    model: f.char({ maxLength: 100, required: true, index: true }),
    role_id: f.many2one(() => Role, { onDelete: "cascade" }),
    domain: f.json({ required: true }),
    perm_read: f.boolean({ default: true }),
    perm_create: f.boolean({ default: true }),
    perm_update: f.boolean({ default: true }),
    perm_delete: f.boolean({ default: true }),
  });
  return { Role, AccessList, Rule, models: [Role, AccessList, Rule] as const };
}

/** The models {@link accessModels} returns. */
export type AccessModels = ReturnType<typeof accessModels>;

const operations: readonly Operation[] = ["read", "create", "update", "delete"];

/**
 * A `load` function for `rolesChecker` that reads the access tables (bypassing access control,
 * since the checker itself depends on them). `db` is a thunk so the checker can be created before
 * `connect` returns.
 */
export function rolesFromTables(
  tables: AccessModels,
  db: () => { sudo<T>(fn: () => Promise<T>): Promise<T> },
): () => Promise<RolesConfig> {
  return () =>
    db().sudo(async () => {
      const [roles, lists, rules] = await Promise.all([
        tables.Role.search({ fields: ["code", "based_role_ids"], nested: { based_role_ids: ["code"] } }),
        tables.AccessList.search({ nested: { role_id: ["code"] } }),
        tables.Rule.search({ nested: { role_id: ["code"] } }),
      ]);
      const roleDefs: RoleDef[] = roles.map((r) => ({
        code: r.code,
        inherits: (r.based_role_ids as { code?: unknown }[]).map((b) => String(b.code)),
      }));
      const rights: ModelRight[] = lists.map((a) => ({
        model: a.model,
        role: a.role_id?.code,
        read: a.perm_read === true,
        create: a.perm_create === true,
        update: a.perm_update === true,
        delete: a.perm_delete === true,
      }));
      const ruleDefs: RecordRule[] = rules.map((r) => ({
        model: r.model,
        role: r.role_id?.code,
        operations: operations.filter((op) => r[`perm_${op}`] === true),
        filter: r.domain as RecordRule["filter"],
      }));
      return { roles: roleDefs, rights, rules: ruleDefs };
    });
}
