import { describe, expect, test } from "vitest";
import { rolesChecker } from "../src/index.js";

interface S {
  id: number;
  roles: string[];
  admin?: boolean;
}

const checker = rolesChecker<S>(
  {
    roles: [
      { code: "user" },
      { code: "manager", inherits: ["user"] },
      { code: "loop-a", inherits: ["loop-b"] },
      { code: "loop-b", inherits: ["loop-a", "user"] },
    ],
    rights: [
      { model: "leads", role: "user", read: true, update: true },
      { model: "leads", role: "manager", delete: true },
      { model: "notes", read: true },
    ],
    rules: [
      { model: "leads", role: "user", filter: [["user_id", "=", "{{user_id}}"]] },
      { model: "leads", role: "manager", operations: ["read"], filter: [["team_id", "in", "{{team_ids}}"]] },
      { model: "leads", filter: [["active", "=", true]] },
      { model: "notes", role: "user", filter: [["missing", "=", "{{nope}}"]] },
    ],
    fields: [{ model: "leads", field: "margin", read: ["manager"], write: ["manager"] }],
  },
  { rolesOf: (s) => s.roles, isAdmin: (s) => s.admin === true, context: (s) => ({ user_id: s.id, team_ids: [7, 8] }) },
);
const ask = (session: S | undefined, operation: "read" | "create" | "update" | "delete", model = "leads") =>
  checker.check({ session, model, operation });

describe("rolesChecker", () => {
  test("model rights: a right of one of the (inherited) roles, or for everyone", async () => {
    expect(await ask({ id: 1, roles: ["user"] }, "create")).toBe(false);
    expect(await ask({ id: 1, roles: ["user"] }, "delete")).toBe(false);
    expect(await ask({ id: 1, roles: ["manager"] }, "delete")).not.toBe(false);
    expect(await ask(undefined, "read")).toBe(false);
    expect(await ask({ id: 1, roles: [] }, "read", "notes")).toBe(true);
    expect(await ask({ id: 1, roles: ["loop-a"] }, "read")).not.toBe(false); // inheritance cycles terminate
  });

  test("record rules: the user's role rules ORed, global rules ANDed, placeholders from the session", async () => {
    expect(await ask({ id: 5, roles: ["user"] }, "update")).toEqual([[["active", "=", true]], [[["user_id", "=", 5]]]]);
    expect(await ask({ id: 5, roles: ["manager"] }, "read")).toEqual([
      [["active", "=", true]],
      [[["user_id", "=", 5]], "or", [["team_id", "in", [7, 8]]]],
    ]);
    expect(await ask({ id: 5, roles: ["manager"], admin: true }, "delete")).toBe(true);
  });

  test("a placeholder the session cannot fill, or fills with null, makes its rule match nothing", async () => {
    const nothing = [["id", "in", []]];
    const active = [["active", "=", true]];
    expect(await ask({ id: 1, roles: ["user"] }, "read", "notes")).toEqual([[nothing]]);
    expect(await ask({ id: null as unknown as number, roles: ["user"] }, "update")).toEqual([active, [nothing]]);
    // ORed with another role's rule, the unfilled rule adds no row; the other still applies
    expect(await ask({ id: null as unknown as number, roles: ["manager"] }, "read")).toEqual([
      active,
      [nothing, "or", [["team_id", "in", [7, 8]]]],
    ]);
  });

  test("field rules deny fields outside the listed roles", async () => {
    const denied = (roles: string[], operation: "read" | "update") =>
      checker.deniedFields!({ session: { id: 1, roles }, model: "leads", operation, fields: ["name", "margin"] });
    expect(await denied(["user"], "read")).toEqual(["margin"]);
    expect(await denied(["user"], "update")).toEqual(["margin"]);
    expect(await denied(["manager"], "read")).toEqual([]);
  });

  test("configuration loaded lazily is cached until invalidated", async () => {
    let loads = 0;
    const lazy = rolesChecker<S>(
      { load: async () => ({ rights: [{ model: "x", read: loads++ === 0 }] }), ttlMs: 60_000 },
      { rolesOf: (s) => s.roles },
    );
    const s = { id: 1, roles: [] };
    expect(await lazy.check({ session: s, model: "x", operation: "read" })).toBe(true);
    expect(await lazy.check({ session: s, model: "x", operation: "read" })).toBe(true);
    lazy.invalidate();
    expect(await lazy.check({ session: s, model: "x", operation: "read" })).toBe(false);
    expect(loads).toBe(2);
  });

  test("answers kept per role set never carry one session's values into another's", async () => {
    // same roles, different users and teams, interleaved: each gets its own placeholders
    const calls: Promise<readonly [number, unknown]>[] = [];
    for (let i = 0; i < 3; i++)
      for (const id of [5, 6, 7])
        calls.push((async () => [id, await ask({ id, roles: ["user"] }, "update")] as const)());
    for (const [id, f] of await Promise.all(calls))
      expect(f).toEqual([[["active", "=", true]], [[["user_id", "=", id]]]]);
    const teams = rolesChecker<{ id: number; teams: number[] }>(
      {
        rights: [{ model: "leads", read: true }],
        rules: [{ model: "leads", role: "u", filter: [["team_id", "in", "{{t}}"]] }],
      },
      { rolesOf: () => ["u"], context: (s) => ({ t: s.teams }) },
    );
    const read = (teamIds: number[]) =>
      teams.check({ session: { id: 1, teams: teamIds }, model: "leads", operation: "read" });
    expect(await read([1])).toEqual([[[["team_id", "in", [1]]]]]);
    expect(await read([2, 3])).toEqual([[[["team_id", "in", [2, 3]]]]]);
    // a changed answer is a new filter each time: changing one does not change the next
    const first = (await read([4])) as unknown[][][][];
    (first[0]![0]![0] as unknown[])[2] = [99];
    expect(await read([4])).toEqual([[[["team_id", "in", [4]]]]]);
    // different role sets (and orders, and codes that look like JSON) are told apart
    expect(await ask({ id: 1, roles: ["user", "manager"] }, "delete")).not.toBe(false);
    expect(await ask({ id: 1, roles: ["user"] }, "delete")).toBe(false);
    expect(await ask({ id: 1, roles: ['user","manager'] }, "delete")).toBe(false);
    expect(await ask({ id: 1, roles: ["user,manager"] }, "delete")).toBe(false);
    expect(await ask({ id: 1, roles: ["manager", "user"] }, "delete")).not.toBe(false);
    // frozen lists of codes (found by identity) and equal unfrozen ones answer alike; a list that can
    // still change is looked up by its content each time
    const frozen = Object.freeze(["manager"]) as string[];
    expect(await ask({ id: 1, roles: frozen }, "delete")).not.toBe(false);
    expect(await ask({ id: 1, roles: Object.freeze(["user"]) as string[] }, "delete")).toBe(false);
    expect(await ask({ id: 1, roles: frozen }, "delete")).not.toBe(false);
    const changing = ["manager"];
    expect(await ask({ id: 1, roles: changing }, "delete")).not.toBe(false);
    changing[0] = "user";
    expect(await ask({ id: 1, roles: changing }, "delete")).toBe(false);
    expect(await ask(undefined, "read", "notes")).toBe(true);
    expect(await ask({ id: 1, roles: ["user"] }, "read", "notes")).toEqual([[[["id", "in", []]]]]);
  });

  test("the configuration is loaded once by concurrent calls, reloaded after its ttl, and a failed load is retried", async () => {
    let loads = 0;
    let fail = false;
    let readable = true;
    const lazy = rolesChecker<S>(
      {
        load: async () => {
          loads++;
          await new Promise((r) => setTimeout(r, 5));
          if (fail) throw new Error("access tables unreachable");
          return { rights: [{ model: "x", read: readable }] };
        },
        ttlMs: 40,
      },
      { rolesOf: (s) => s.roles },
    );
    const s = { id: 1, roles: ["any"] };
    const read = () => lazy.check({ session: s, model: "x", operation: "read" });
    expect(await Promise.all(Array.from({ length: 20 }, read))).toEqual(Array(20).fill(true));
    expect(loads).toBe(1);
    readable = false;
    expect(await read()).toBe(true); // cached answer, within the ttl
    await new Promise((r) => setTimeout(r, 60));
    expect(await read()).toBe(false); // reloaded: the kept answers went with the old configuration
    expect(loads).toBe(2);
    fail = true;
    lazy.invalidate();
    await expect(read()).rejects.toThrow("unreachable");
    fail = false;
    readable = true;
    expect(await read()).toBe(true);
    expect(loads).toBe(4);
  });

  test("field rules are answered per call for the fields asked", async () => {
    const denied = (fields: string[]) =>
      checker.deniedFields!({ session: { id: 1, roles: ["user"] }, model: "leads", operation: "read", fields });
    expect(await denied(["name"])).toEqual([]);
    expect(await denied(["margin", "name"])).toEqual(["margin"]);
    expect(await denied([])).toEqual([]);
  });
});
