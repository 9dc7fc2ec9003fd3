import { describe, expect, test } from "vitest";
import { AccessGate } from "../src/access/access-gate.js";
import type { AccessChecker, AccessRequest } from "../src/access/access-checker.js";
import { type RolesConfig, rolesChecker } from "../src/access/roles-checker.js";
import { planSecured, secureRead } from "../src/access/secure-read.js";
import { AccessDenied } from "../src/errors.js";
import type { SelectNode } from "../src/query/ast.js";
import { planRead } from "../src/query/plan-read.js";
import { chat, show } from "./fixtures.js";

/** Users see active users only, `users.login` is withheld; `slow` models answer through a promise. */
function checker(slow: readonly string[] = []): AccessChecker<string> {
  const later = <T>(model: string, value: T): T | Promise<T> =>
    slow.includes(model) ? new Promise((ok) => setTimeout(() => ok(value), 1)) : value;
  return {
    check({ model, operation }: AccessRequest<string>) {
      if (model === "users" && operation === "read") return later(model, [["is_active", "=", true]]);
      if (model === "chats") return later(model, [["is_archived", "=", false]]);
      return later(model, true);
    },
    deniedFields({ model }) {
      return later(model, model === "users" ? ["login"] : []);
    },
  };
}

const read = () =>
  planRead(chat, {
    fields: ["name", "creator_id__name"],
    filter: [["creator_id.name", "=", "ann"]],
    nested: { creator_id: ["name"], messages: ["body", { author_user_id: ["name"] }] },
    order: "creator_id.name",
  });

const nestedWhere = (select: SelectNode, name: string) => {
  const item = select.items.find((i) => i.kind === "nested" && i.field.name === name);
  return item?.kind === "nested" ? show(item.sub.where) : "none";
};

describe("the secure step without a promise per question", () => {
  test("a checker that answers at once gets the secured read back at once, the same as through promises", async () => {
    const now = secureRead(read(), new AccessGate(checker(), "s"));
    expect(now).not.toBeInstanceOf(Promise);
    const later = await secureRead(read(), new AccessGate(checker(["users", "chats", "chat_messages"]), "s"));
    const sync = now as SelectNode;
    expect(show(sync.where)).toBe(show(later.where));
    expect(show(sync.where)).toBe(
      'and(exists chats.creator_id (and(users.name = "ann", users.is_active = true)), chats.is_archived = false)',
    );
    expect(nestedWhere(sync, "creator_id")).toBe(nestedWhere(later, "creator_id"));
    expect(nestedWhere(sync, "creator_id")).toBe("users.is_active = true");
  });

  test("one model answering through a promise: the rest of the step goes on after it", async () => {
    const secured = planSecured(chat, new AccessGate(checker(["chat_messages"]), "s"), read);
    expect(secured).toBeInstanceOf(Promise);
    expect(show((await secured).where)).toContain("chats.is_archived = false");
  });

  test("a refusal answered at once is a rejection, never a throw, and names the field", async () => {
    const named = () => planRead(chat, { fields: ["name"], nested: { creator_id: ["login"] } });
    let thrown: unknown;
    let result: unknown;
    try {
      result = planSecured(chat, new AccessGate(checker(), "s"), named);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeUndefined();
    await expect(result).rejects.toThrow(AccessDenied);
    await expect(result).rejects.toThrow(/users\.login/);
    // and the same through a promise
    await expect(planSecured(chat, new AccessGate(checker(["users"]), "s"), named)).rejects.toThrow(/users\.login/);
  });

  test("a model the checker denies is refused before planning, at once or later", async () => {
    const deny: AccessChecker<string> = { check: ({ model }) => model !== "chats" };
    let planned = false;
    const plan = () => {
      planned = true;
      return read();
    };
    await expect(planSecured(chat, new AccessGate(deny, "s"), plan)).rejects.toThrow(AccessDenied);
    expect(planned).toBe(false);
  });
});

describe("rolesChecker answers at once once its configuration is loaded", () => {
  // the user's role rules, ORed (one here), as one part
  const own = [[[["user_id", "=", 5]]]];
  const options = { rolesOf: (s: { roles: string[] }) => s.roles, context: () => ({ user_id: 5 }) };
  const config: RolesConfig = {
    rights: [{ model: "leads", role: "user", read: true }],
    rules: [{ model: "leads", role: "user", filter: [["user_id", "=", "{{user_id}}"]] }],
    fields: [{ model: "leads", field: "margin", read: ["manager"] }],
  };

  test("given in code: every answer is a value", () => {
    const c = rolesChecker(config, options);
    const session = { roles: ["user"] };
    expect(c.check({ session, model: "leads", operation: "read" })).toEqual(own);
    expect(c.deniedFields?.({ session, model: "leads", operation: "read", fields: ["margin", "name"] })).toEqual([
      "margin",
    ]);
  });

  test("loaded: the first calls wait for the load, later ones answer at once, and again after invalidate()", async () => {
    let loads = 0;
    const c = rolesChecker(
      {
        load: async () => {
          loads++;
          return config;
        },
        ttlMs: 60_000,
      },
      options,
    );
    const session = { roles: ["user"] };
    const first = c.check({ session, model: "leads", operation: "read" });
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual(own);
    expect(c.check({ session, model: "leads", operation: "read" })).toEqual(own);
    expect(c.check({ session, model: "leads", operation: "delete" })).toBe(false);
    c.invalidate();
    const reloaded = c.check({ session, model: "leads", operation: "read" });
    expect(reloaded).toBeInstanceOf(Promise);
    await reloaded;
    expect(loads).toBe(2);
  });

  test("the next configuration loads ahead of the expiry: no call waits while calls come, none is answered past the ttl", async () => {
    const ttlMs = 200;
    const loads: { resolve: (c: RolesConfig) => void }[] = [];
    const c = rolesChecker(
      { load: () => new Promise<RolesConfig>((resolve) => loads.push({ resolve })), ttlMs },
      options,
    );
    const session = { roles: ["user"] };
    const ask = () => c.check({ session, model: "leads", operation: "read" });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const first = ask();
    loads[0]?.resolve(config);
    expect(await first).toEqual(own);
    expect(loads).toHaveLength(1);
    await sleep(ttlMs * 0.85);
    // in the last fifth: answered at once from the current configuration, and one reload started
    expect(ask()).toEqual(own);
    expect(ask()).toEqual(own);
    expect(loads).toHaveLength(2);
    // the reload brings a configuration that takes the right away: the next call uses it, still at once
    loads[1]?.resolve({ rights: [] });
    await sleep(0);
    expect(ask()).toBe(false);
    // a reload ahead that does not arrive in time: past the ttl the call waits for a fresh load
    await sleep(ttlMs * 0.85);
    expect(ask()).toBe(false);
    expect(loads).toHaveLength(3);
    await sleep(ttlMs * 0.3);
    const late = ask();
    expect(late).toBeInstanceOf(Promise);
    expect(loads).toHaveLength(4);
    loads[3]?.resolve(config);
    expect(await late).toEqual(own);
    // the stale reload ahead arriving afterwards is not used
    loads[2]?.resolve({ rights: [] });
    await sleep(0);
    expect(ask()).toEqual(own);
  });
});
