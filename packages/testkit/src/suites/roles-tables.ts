import {
  AccessDenied,
  type Database,
  accessModels,
  connect,
  f,
  model,
  rolesChecker,
  rolesFromTables,
} from "@dotorm/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ConformanceTarget } from "../target.js";
import { onCI } from "../ci.js";

interface Session {
  userId: number;
  roles: string[];
}

/** rolesChecker administered as data: roles, access lists and rules read from the access tables. */
export async function rolesTables(target: ConformanceTarget) {
  const up = await target.available();
  const namespace = `dotorm_roles_tables_${process.pid}`;
  if (!up && onCI() && target.configured !== false) {
    describe(`roles-tables [${target.name}]`, () => {
      test("database is reachable", () => {
        throw new Error(`${target.name} is not reachable: CI requires every database suite to run`);
      });
    });
    return;
  }
  describe.skipIf(!up)(`roles-tables [${target.name}]`, () => {
    const access = accessModels("rt_");
    const Lead = model("rt_leads", { title: f.char({ required: true }), user_id: f.integer() });
    let db: Database;
    const checker = rolesChecker<Session>(
      { load: rolesFromTables(access, () => db), ttlMs: 60_000 },
      { rolesOf: (s) => s.roles, context: (s) => ({ user_id: s.userId }) },
    );
    const as = <T>(s: Session, fn: () => Promise<T>) => db.withSession(s, fn);

    beforeAll(async () => {
      db = await connect(await target.open(namespace), { models: [...access.models, Lead], access: checker });
      await db.sync();
      await db.sudo(async () => {
        const [user, manager] = (await access.Role.createMany([{ code: "crm_user" }, { code: "crm_manager" }])) as [
          number,
          number,
        ];
        await access.Role.updateMany([manager], { based_role_ids: [user] });
        await access.AccessList.createMany([
          { model: "rt_leads", role_id: user, perm_read: true, perm_create: true },
          { model: "rt_leads", role_id: manager, perm_update: true, perm_delete: true },
        ]);
        await access.Rule.createMany([
          {
            model: "rt_leads",
            role_id: user,
            domain: [["user_id", "=", "{{user_id}}"], "or", ["user_id", "=", null]],
            perm_create: false,
          },
          { model: "rt_leads", role_id: manager, domain: [], perm_create: false },
        ]);
        await Lead.createMany([{ title: "mine", user_id: 1 }, { title: "theirs", user_id: 2 }, { title: "nobody's" }]);
      });
    });
    afterAll(async () => {
      await db?.close();
      await target.drop?.(namespace);
    });

    test("rights and rules come from the tables; inherited roles add up", async () => {
      const titles = async (s: Session) => (await as(s, () => Lead.search({ order: "id" }))).map((l) => l.title);
      expect(await titles({ userId: 1, roles: ["crm_user"] })).toEqual(["mine", "nobody's"]);
      expect(await titles({ userId: 1, roles: ["crm_manager"] })).toEqual(["mine", "theirs", "nobody's"]);
      await expect(as({ userId: 1, roles: [] }, () => Lead.search({}))).rejects.toBeInstanceOf(AccessDenied);
      await expect(
        as({ userId: 1, roles: ["crm_user"] }, () => Lead.deleteMany([["title", "=", "mine"]])),
      ).rejects.toBeInstanceOf(AccessDenied);
      expect(
        await as({ userId: 1, roles: ["crm_manager"] }, () =>
          Lead.updateMany([["title", "=", "theirs"]], { user_id: 1 }),
        ),
      ).toBe(1);
    });

    test("a change in the tables applies once the cached configuration is invalidated", async () => {
      const guest = { userId: 9, roles: ["crm_guest"] };
      // the configuration is read now (and cached) whether or not the test above ran
      await expect(as(guest, () => Lead.count())).rejects.toBeInstanceOf(AccessDenied);
      await db.sudo(async () => {
        const id = await access.Role.create({ code: "crm_guest" });
        await access.AccessList.create({ model: "rt_leads", role_id: id, perm_read: true });
      });
      await expect(as(guest, () => Lead.count())).rejects.toBeInstanceOf(AccessDenied);
      checker.invalidate();
      expect(await as(guest, () => Lead.count())).toBe(3);
    });
  });
}
