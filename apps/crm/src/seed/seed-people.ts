import type { Faker } from "@faker-js/faker";
import * as m from "../models/index.js";
import { hashPassword } from "../server/passwords.js";
import type { Progress } from "./progress.js";
import { type SeedSize, demoUsers, seedSizes } from "./seed-plan.js";
import { createAll } from "./seed-rows.js";

/** The users and sales teams {@link seedPeople} created, for the rest of the seed to refer to. */
export interface SeededPeople {
  readonly userIds: number[];
  readonly byLogin: Map<string, number>;
  /** Salespeople and sales managers. */
  readonly sellers: number[];
  /** Each seller's team. */
  readonly teamOf: Map<number, number>;
  readonly teamIds: number[];
  /** The teams as created, in the order of `teamIds`. */
  readonly teamRows: { name: string; leader_id: number | null; member_ids: number[] }[];
}

/**
 * Users for each role (the demo logins, password = login, then more salespeople) and the sales
 * teams: the manager leads the first, with the two demo salespeople in it. Call it inside the
 * seed's transaction.
 */
export async function seedPeople(faker: Faker, sizeName: SeedSize, progress: Progress): Promise<SeededPeople> {
  const size = seedSizes[sizeName];
  const roleIds = new Map((await m.Role.search({ fields: ["code"] })).map((r) => [r.code, r.id]));
  // users: the demo logins, then more salespeople
  const people = [
    ...demoUsers.map((u) => ({ ...u, password: u.login })),
    ...Array.from({ length: size.salespeople }, (_, i) => ({
      login: `rep${i + 1}`,
      name: faker.person.fullName(),
      role: "salesperson",
      isAdmin: false,
      password: `rep${i + 1}`,
    })),
  ];
  const userRows = await Promise.all(
    people.map(async (p) => ({
      name: p.name,
      login: p.login,
      email: `${p.login}@example.com`,
      password_hash: await hashPassword(p.password),
      is_admin: p.isAdmin,
      lang: "en" as const,
      role_ids: [roleIds.get(p.role) as number],
    })),
  );
  const userIds = await createAll(m.User, userRows, progress, "users");
  const byLogin = new Map(people.map((p, i) => [p.login, userIds[i] as number]));
  const sellers = people
    .filter((p) => p.role === "salesperson" || p.role === "sales_manager")
    .map((p) => byLogin.get(p.login) as number);

  // teams: the manager leads the first, with the two demo salespeople in it
  const teamCount = sizeName === "large" ? 3 : 2;
  const teamOf = new Map<number, number>();
  const teamRows = Array.from({ length: teamCount }, (_, t) => {
    const members = sellers.filter((_, i) => i % teamCount === t);
    return {
      name: ["Direct sales", "Partners", "Enterprise"][t] as string,
      leader_id: members[0] ?? null,
      member_ids: members,
    };
  });
  teamRows[0]!.member_ids = [
    byLogin.get("manager") as number,
    byLogin.get("sales") as number,
    byLogin.get("sales2") as number,
  ];
  teamRows[0]!.leader_id = byLogin.get("manager") as number;
  for (const [t, row] of teamRows.entries())
    row.member_ids = t === 0 ? row.member_ids : row.member_ids.filter((u) => !teamRows[0]!.member_ids.includes(u));
  const teamIds = await createAll(m.SalesTeam, teamRows, progress, "teams");
  for (const [t, row] of teamRows.entries()) for (const u of row.member_ids) teamOf.set(u, teamIds[t] as number);
  return { userIds, byLogin, sellers, teamOf, teamIds, teamRows };
}
