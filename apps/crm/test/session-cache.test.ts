import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LeadStage, Role, Session, User } from "../src/models/index.js";
import { hashPassword } from "../src/server/passwords.js";
import { SessionCache } from "../src/server/session-cache.js";
import { SessionStore, tokenHash } from "../src/server/sessions.js";
import { type Crm, openCrm } from "./harness.js";
import { analytics, pglite } from "./targets.js";

describe("SessionCache: bounded in time and size, and refuses lookups older than a removal", () => {
  test("an entry lives ttl at most, and never past the session's expiry", () => {
    let now = 1_000;
    const c = new SessionCache<string>(500, 10, () => now);
    c.set("a", "A", 10_000, c.generation);
    c.set("b", "B", 1_200, c.generation); // the session itself ends before the ttl
    expect([c.get("a"), c.get("b")]).toEqual(["A", "B"]);
    now = 1_199;
    expect([c.get("a"), c.get("b")]).toEqual(["A", "B"]);
    now = 1_200;
    expect([c.get("a"), c.get("b")]).toEqual(["A", undefined]);
    now = 1_500;
    expect(c.get("a")).toBeUndefined();
    c.set("c", "C", 900, c.generation); // already expired: not kept
    expect(c.get("c")).toBeUndefined();
    expect(c.size).toBe(0);
  });

  test("holds at most `max` entries, dropping the least recently used", () => {
    const c = new SessionCache<number>(60_000, 3, () => 0);
    for (const k of ["a", "b", "c"]) c.set(k, k.charCodeAt(0), 1e9, c.generation);
    expect(c.get("a")).toBe(97); // "a" is now the most recently used
    c.set("d", 100, 1e9, c.generation);
    expect(c.size).toBe(3);
    expect([c.get("a"), c.get("b"), c.get("c"), c.get("d")]).toEqual([97, undefined, 99, 100]);
  });

  test("a value read before a delete, deleteWhere or clear is not kept afterwards", () => {
    const c = new SessionCache<{ user: number }>(60_000, 10, () => 0);
    for (const remove of [() => c.delete("x"), () => c.deleteWhere(() => false), () => c.clear()]) {
      const before = c.generation;
      remove(); // e.g. a logout committed while the lookup was reading the row
      c.set("k", { user: 1 }, 1e9, before);
      expect(c.get("k")).toBeUndefined();
    }
    c.set("k", { user: 1 }, 1e9, c.generation);
    c.set("j", { user: 2 }, 1e9, c.generation);
    c.deleteWhere((v) => v.user === 1);
    expect([c.get("k"), c.get("j")]).toEqual([undefined, { user: 2 }]);
  });

  test("a ttl of 0 keeps nothing", () => {
    const c = new SessionCache<string>(0, 10, () => 0);
    c.set("a", "A", 1e9, c.generation);
    expect(c.get("a")).toBeUndefined();
  });
});

describe("the CRM's session cache [pglite]", () => {
  const bound = 1_500;
  let crm: Crm;
  let roleId: (code: string) => Promise<number>;
  let stage: number;
  beforeAll(async () => {
    crm = await openCrm(await pglite.open("x"), analytics(`crm_session_cache_${process.pid}`), {
      seed: false,
      sessionTtlMs: 60_000,
      sessionCacheMs: bound,
    });
    roleId = async (code) => crm.dbs.db.sudo(async () => (await Role.query().filter({ code }).get()).id);
    const [salesperson, viewer] = [await roleId("salesperson"), await roleId("viewer")];
    await crm.dbs.db.sudo(async () => {
      stage = await LeadStage.create({ name: "New" });
      for (const [login, role, isAdmin] of [
        ["ana", salesperson, false],
        ["bob", viewer, false],
        ["cid", salesperson, false],
        ["dan", salesperson, false],
        ["boss", salesperson, true],
      ] as const)
        await User.create({
          name: login,
          login,
          password_hash: await hashPassword(login),
          role_ids: [role],
          is_admin: isAdmin,
        });
    });
  });
  afterAll(() => crm?.close());

  const me = async (token: string) => crm.http("GET", "/api/me", undefined, token);
  const userId = (login: string) => crm.dbs.db.sudo(async () => (await User.query().filter({ login }).get()).id);

  test("each token gets its own session, also when requests of several users interleave", async () => {
    const tokens = { ana: await crm.login("ana"), bob: await crm.login("bob"), ana2: await crm.login("ana") };
    for (let round = 0; round < 3; round++) {
      const replies = await Promise.all(
        Object.entries(tokens).flatMap(([who, t]) => [me(t), me(t)].map(async (r) => [who, (await r).body.data])),
      );
      for (const [who, data] of replies) {
        expect(data.login).toBe(who === "bob" ? "bob" : "ana");
        expect(data.roles).toEqual(who === "bob" ? ["viewer"] : ["salesperson"]);
      }
    }
    // a viewer cannot create a lead, a salesperson can: the rights follow each token's own session
    const lead = { name: "cached?", stage_id: stage };
    expect((await crm.http("POST", "/auto/leads", lead, tokens.bob)).status).toBe(403);
    expect((await crm.http("POST", "/auto/leads", lead, tokens.ana)).status).toBe(201);
  });

  test("logout ends the session at once, though it was cached", async () => {
    const token = await crm.login("ana");
    expect((await me(token)).status).toBe(200); // now cached
    const other = await crm.login("ana");
    expect((await me(other)).status).toBe(200);
    expect((await crm.http("POST", "/api/logout", {}, token)).status).toBe(204);
    expect((await me(token)).status).toBe(401);
    expect((await crm.http("GET", "/auto/leads", undefined, token)).status).toBe(401);
    expect((await me(other)).status).toBe(200); // the user's other session goes on
    await crm.sessions.revokeUser(await userId("ana"));
    expect((await me(other)).status).toBe(401);
  });

  test("a user deactivated or given other roles through the API is seen by their next request", async () => {
    const admin = await crm.login("boss");
    const cid = await crm.login("cid");
    expect((await me(cid)).body.data.roles).toEqual(["salesperson"]);
    const id = await userId("cid");
    const viewer = await roleId("viewer");
    expect((await crm.http("PATCH", `/auto/users/${id}`, { role_ids: [viewer] }, admin)).status).toBe(200);
    expect((await me(cid)).body.data.roles).toEqual(["viewer"]);
    expect((await crm.http("POST", "/auto/leads", { name: "no", stage_id: stage }, cid)).status).toBe(403);
    expect((await crm.http("PATCH", `/auto/users/${id}`, { active: false }, admin)).status).toBe(200);
    expect((await me(cid)).status).toBe(401);
    expect((await crm.http("GET", "/auto/leads", undefined, cid)).status).toBe(401);
  });

  test("a change made outside this server (another process, SQL) is seen within the cache's bound", async () => {
    const token = await crm.login("dan");
    const cachedAt = performance.now();
    expect((await me(token)).status).toBe(200);
    const id = await userId("dan");
    await crm.dbs.db.sudo(() => User.updateMany([id], { active: false }));
    // still served from the cache while the bound lasts (the proof that it is a cache)...
    if (performance.now() - cachedAt < bound * 0.8) expect((await me(token)).status).toBe(200);
    // ...and refused once it has passed
    await new Promise((r) => setTimeout(r, bound + 50));
    expect((await me(token)).status).toBe(401);
  });

  test("a cached session is not used past its own expiry, whatever the cache's lifetime", async () => {
    const store = new SessionStore(crm.dbs.db, 60_000, { ms: 600_000 });
    const token = await crm.login("bob");
    expect((await store.cached(token))?.login).toBe("bob");
    const soon = new Date(Date.now() + 400);
    await crm.dbs.db.sudo(() => Session.updateMany([["token_hash", "=", tokenHash(token)]], { expires_at: soon }));
    // the cached entry still carries the old expiry: drop it as another process would see it after the bound
    store.invalidate();
    expect((await store.cached(token))?.login).toBe("bob");
    await new Promise((r) => setTimeout(r, 450));
    expect(await store.cached(token)).toBeUndefined();
  });

  test("a token in use is read again before its entry expires: no request waits, none is served past the bound", async () => {
    const ms = 600;
    const store = new SessionStore(crm.dbs.db, 60_000, { ms });
    const token = await crm.login("ana");
    let reads = 0;
    const count = (e: { model?: string; sql: string }) => {
      if (e.model === "sessions" && /^\s*select/i.test(e.sql)) reads++;
    };
    const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
    crm.dbs.db.on("query", count);
    try {
      expect((await store.cached(token))?.login).toBe("ana");
      expect(reads).toBe(1);
      await sleep(ms * 0.85);
      // in the entry's last fifth: served from the cache, and one read started in the background
      expect((await store.cached(token))?.login).toBe("ana");
      expect((await store.cached(token))?.login).toBe("ana");
      await sleep(50);
      expect(reads).toBe(2);
      // past the first entry's lifetime, the refreshed one serves without a read
      await sleep(ms * 0.3);
      expect((await store.cached(token))?.login).toBe("ana");
      expect(reads).toBe(2);
      // a change outside this server: seen by a refresh ahead, or at the latest once the bound has passed
      await crm.dbs.db.sudo(async () =>
        User.updateMany([(await User.query().filter({ login: "ana" }).get()).id], { active: false }),
      );
      await sleep(ms + 50);
      expect(await store.cached(token)).toBeUndefined();
    } finally {
      crm.dbs.db.off("query", count);
      await crm.dbs.db.sudo(async () =>
        User.updateMany([(await User.query().filter({ login: "ana" }).get()).id], { active: true }),
      );
    }
  });

  test("concurrent requests of one token share one read, but none started after a removal", async () => {
    const store = new SessionStore(crm.dbs.db, 60_000, { ms: 60_000 });
    const token = await crm.login("bob");
    let reads = 0;
    const count = (e: { model?: string; sql: string }) => {
      if (e.model === "sessions" && /^\s*select/i.test(e.sql)) reads++;
    };
    crm.dbs.db.on("query", count);
    try {
      const sessions = await Promise.all(Array.from({ length: 20 }, () => store.cached(token)));
      expect(sessions.map((s) => s?.login)).toEqual(Array(20).fill("bob"));
      expect(reads).toBe(1);
      // a removal while a read is in flight: the requests after it read again
      store.invalidate();
      reads = 0;
      const early = store.cached(token);
      store.invalidate();
      const late = store.cached(token);
      expect([(await early)?.login, (await late)?.login]).toEqual(["bob", "bob"]);
      expect(reads).toBe(2);
      // and a request after a logout gets no session, whatever was being read for the token
      store.invalidate();
      const before = store.cached(token);
      await store.revoke(token);
      expect(await store.cached(token)).toBeUndefined();
      await before;
    } finally {
      crm.dbs.db.off("query", count);
    }
  });

  test("a cached session cannot be changed by whoever receives it", async () => {
    const store = new SessionStore(crm.dbs.db, 60_000, { ms: 60_000 });
    const token = await crm.login("bob");
    const s = (await store.cached(token)) as unknown as { roles: string[]; isAdmin: boolean };
    expect(() => s.roles.push("admin")).toThrow(TypeError);
    expect(() => {
      s.isAdmin = true;
    }).toThrow(TypeError);
    expect((await store.cached(token))?.roles).toEqual(["viewer"]);
  });
});
