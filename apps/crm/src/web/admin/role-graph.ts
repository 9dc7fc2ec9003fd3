/** A role as the roles page reads it. */
export interface RoleNode {
  id: number;
  code: string;
  name: string | null;
  based_role_ids: number[];
}

/** An access-list row: a role's rights on a model. */
export interface AccessRow {
  model: string;
  role_id: number | null;
  perm_read: boolean;
  perm_create: boolean;
  perm_update: boolean;
  perm_delete: boolean;
}

export const perms = ["perm_read", "perm_create", "perm_update", "perm_delete"] as const;
export type Perm = (typeof perms)[number];

/**
 * The role and every role it inherits, directly or through others (cycles end the walk).
 *
 * @example
 * closure(managerId, roles) // -> Set { managerId, salespersonId }
 */
export function closure(id: number, roles: readonly RoleNode[]): Set<number> {
  const byId = new Map(roles.map((r) => [r.id, r]));
  const seen = new Set<number>();
  const walk = (r: number) => {
    if (seen.has(r)) return;
    seen.add(r);
    for (const b of byId.get(r)?.based_role_ids ?? []) walk(b);
  };
  walk(id);
  return seen;
}

/** The roles that would inherit from themselves if `id` inherited `based` (empty when none). */
export function cycleThrough(id: number, based: readonly number[], roles: readonly RoleNode[]): number[] {
  const changed = roles.map((r) => (r.id === id ? { ...r, based_role_ids: [...based] } : r));
  return based.filter((b) => closure(b, changed).has(id));
}

/** Per model, the rights a role has with what it inherits, and which roles grant each. */
export function effectiveRights(
  id: number,
  roles: readonly RoleNode[],
  rows: readonly AccessRow[],
): Map<string, Record<Perm, number[]>> {
  const mine = closure(id, roles);
  const out = new Map<string, Record<Perm, number[]>>();
  for (const row of rows) {
    // a row without a role grants everyone
    if (row.role_id !== null && !mine.has(row.role_id)) continue;
    const entry = out.get(row.model) ?? { perm_read: [], perm_create: [], perm_update: [], perm_delete: [] };
    for (const p of perms) if (row[p]) entry[p].push(row.role_id ?? 0);
    out.set(row.model, entry);
  }
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
