import { type Database, rolesChecker, rolesFromTables } from "@dotorm/core";
import { access } from "./models/users.js";

/** Who a request runs as: the user, their role codes (own, inheritance is the checker's) and teams. */
export interface CrmSession {
  readonly userId: number;
  readonly login: string;
  readonly roles: readonly string[];
  readonly teamIds: readonly number[];
  readonly isAdmin: boolean;
}

/** The four roles of the CRM; a sales manager inherits the salesperson's rights and rules. */
export const roles = [
  { code: "admin", name: "Administrator" },
  { code: "salesperson", name: "Salesperson" },
  { code: "sales_manager", name: "Sales manager", inherits: ["salesperson"] },
  { code: "viewer", name: "Viewer (read only)" },
] as const;

/** A role code. */
export type RoleCode = (typeof roles)[number]["code"];

/** Letters of the rights granted: r, c, u, d. */
type Perms = string;

/** Model rights per role (`r`ead, `c`reate, `u`pdate, `d`elete); admins bypass every check. */
const rights: Record<Exclude<RoleCode, "admin">, Record<string, Perms>> = {
  salesperson: {
    roles: "r",
    users: "r",
    sales_teams: "r",
    partners: "rcu",
    lead_stages: "r",
    lead_tags: "rc",
    leads: "rcu",
    products: "r",
    sales: "rcu",
    sale_lines: "rcud",
    activities: "rcud",
    projects: "r",
    task_stages: "r",
    task_tags: "rc",
    tasks: "rcu",
    chats: "rcu",
    chat_members: "rc",
    chat_messages: "rcu",
    attachments: "rcd",
    saved_filters: "rcud",
  },
  sales_manager: {
    partners: "rcud",
    leads: "rcud",
    sales: "rcud",
    lead_tags: "rcud",
    products: "rcu",
    projects: "rcu",
    tasks: "rcud",
  },
  viewer: {
    roles: "r",
    users: "r",
    sales_teams: "r",
    partners: "r",
    lead_stages: "r",
    lead_tags: "r",
    leads: "r",
    products: "r",
    sales: "r",
    sale_lines: "r",
    activities: "r",
    projects: "r",
    task_stages: "r",
    task_tags: "r",
    tasks: "r",
    chats: "r",
    chat_members: "r",
    chat_messages: "r",
    attachments: "r",
    // a viewer writes no business record, but keeps their own saved filters
    saved_filters: "rcud",
  },
};

const me = "{{user_id}}";
const myTeams = "{{team_ids}}";
const memberOfChat = (path: string) => [[`${path}member_ids.user_id`, "=", me], "or", [`${path}creator_id`, "=", me]];

/** Record rules per role: ORed within a role set, as in FARA CRM. `{{user_id}}`, `{{team_ids}}` come from the session. */
const rules: { model: string; role?: RoleCode; domain: unknown[]; ops?: string }[] = [
  { model: "leads", role: "salesperson", domain: [["user_id", "=", me], "or", ["user_id", "=", null]] },
  { model: "leads", role: "sales_manager", domain: [["team_id", "in", myTeams]] },
  { model: "sales", role: "salesperson", domain: [["user_id", "=", me]] },
  { model: "sales", role: "sales_manager", domain: [["team_id", "in", myTeams]] },
  { model: "sale_lines", role: "salesperson", domain: [["sale_id.user_id", "=", me]] },
  { model: "sale_lines", role: "sales_manager", domain: [["sale_id.team_id", "in", myTeams]] },
  { model: "activities", role: "salesperson", domain: [["user_id", "=", me]] },
  { model: "chats", role: "salesperson", domain: memberOfChat("") },
  { model: "chats", role: "viewer", domain: memberOfChat("") },
  { model: "chat_messages", role: "salesperson", domain: memberOfChat("chat_id.") },
  { model: "chat_messages", role: "viewer", domain: memberOfChat("chat_id.") },
  // membership is read, not joined: only a chat's creator adds members
  { model: "chat_members", role: "salesperson", domain: memberOfChat("chat_id."), ops: "rud" },
  { model: "chat_members", role: "salesperson", domain: [["chat_id.creator_id", "=", me]], ops: "c" },
  { model: "chat_members", role: "viewer", domain: memberOfChat("chat_id."), ops: "r" },
  // global (ANDed with the above): a message is posted under its author's own name
  { model: "chat_messages", domain: [["author_id", "=", me]], ops: "c" },
  // global: a saved filter is its owner's alone, for every operation
  { model: "saved_filters", domain: [["user_id", "=", me]] },
];

/** Models added after the first release: their rights and rules are installed into older databases too. */
const addedLater = ["saved_filters"];

/**
 * Writes the roles, access lists and record rules into the access tables, once (a database that
 * already has roles is left as its administrators changed it, except that models added since it
 * was made get their rights and rules). True when it installed everything.
 */
export async function installAccess(db: Database): Promise<boolean> {
  return db.sudo(async () => {
    if ((await access.Role.count()) > 0) {
      await installAddedLater(db);
      return false;
    }
    const ids = new Map<string, number>();
    for (const r of roles) ids.set(r.code, await access.Role.create({ code: r.code, name: r.name }));
    for (const r of roles) {
      if ("inherits" in r)
        await access.Role.updateMany([ids.get(r.code) as number], {
          based_role_ids: r.inherits.map((c) => ids.get(c) as number),
        });
    }
    await writeRights(ids, () => true);
    return true;
  });
}

/**
 * In a database made before a model existed, installs that model's rights and rules, once: a model
 * that already has any access row or rule is left as its administrators set it.
 */
async function installAddedLater(db: Database): Promise<void> {
  const missing: string[] = [];
  for (const model of addedLater) {
    const any =
      (await access.AccessList.count({ filter: [["model", "=", model]] })) +
      (await access.Rule.count({ filter: [["model", "=", model]] }));
    if (any === 0) missing.push(model);
  }
  if (missing.length === 0) return;
  const found = await access.Role.search({ filter: [["code", "in", roles.map((r) => r.code)]], fields: ["code"] });
  const ids = new Map(found.map((r) => [r.code as string, r.id]));
  await db.transaction(() => writeRights(ids, (model) => missing.includes(model)));
}

async function writeRights(ids: ReadonlyMap<string, number>, include: (model: string) => boolean): Promise<void> {
  const lists = Object.entries(rights).flatMap(([role, models]) =>
    Object.entries(models)
      .filter(([model]) => include(model) && ids.has(role))
      .map(([model, p]) => ({
        model,
        role_id: ids.get(role) as number,
        perm_read: p.includes("r"),
        perm_create: p.includes("c"),
        perm_update: p.includes("u"),
        perm_delete: p.includes("d"),
      })),
  );
  if (lists.length > 0) await access.AccessList.createMany(lists);
  const wanted = rules.filter((r) => include(r.model) && (r.role === undefined || ids.has(r.role)));
  if (wanted.length === 0) return;
  await access.Rule.createMany(
    wanted.map((r) => ({
      model: r.model,
      role_id: r.role === undefined ? null : (ids.get(r.role) as number),
      domain: r.domain as never,
      perm_read: (r.ops ?? "rcud").includes("r"),
      perm_create: (r.ops ?? "rcud").includes("c"),
      perm_update: (r.ops ?? "rcud").includes("u"),
      perm_delete: (r.ops ?? "rcud").includes("d"),
    })),
  );
}

/** The access checker: rights and rules read from the access tables (cached 30 s), admins bypass. */
export function crmChecker(db: () => Database) {
  return rolesChecker<CrmSession>(
    { load: rolesFromTables(access, db), ttlMs: 30_000 },
    {
      rolesOf: (s) => s.roles,
      isAdmin: (s) => s.isAdmin || s.roles.includes("admin"),
      context: (s) => ({ user_id: s.userId, team_ids: [...s.teamIds] }),
    },
  );
}
