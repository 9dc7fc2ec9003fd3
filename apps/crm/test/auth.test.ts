import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { Role, Session, User } from "../src/models/index.js";
import { hashPassword, verifyPassword } from "../src/server/passwords.js";
import { RateLimiter } from "../src/server/rate-limit.js";
import { tokenHash } from "../src/server/sessions.js";
import { type Crm, openCrm } from "./harness.js";
import { analytics, pglite } from "./targets.js";

describe("login, sessions and request hygiene [pglite]", () => {
  let crm: Crm;
  beforeAll(async () => {
    crm = await openCrm(await pglite.open("x"), analytics(`crm_auth_${process.pid}`), {
      seed: false,
      loginLimit: 10,
      sessionTtlMs: 60_000,
    });
    await crm.dbs.db.sudo(async () => {
      const salesperson = (await Role.query().filter({ code: "salesperson" }).get()).id;
      await Promise.all([
        hashPassword("right-pass").then((h) =>
          User.create({ name: "Lea", login: "lea", password_hash: h, role_ids: [salesperson] }),
        ),
        hashPassword("gone-pass").then((h) =>
          User.create({ name: "Old", login: "old", password_hash: h, active: false }),
        ),
        hashPassword("limit-pass").then((h) => User.create({ name: "Lim", login: "lim", password_hash: h })),
      ]);
    });
  });
  afterAll(() => crm?.close());

  test("passwords: scrypt with a per-user salt; a wrong or malformed hash never matches", async () => {
    const [a, b] = [await hashPassword("same"), await hashPassword("same")];
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same", a)).toBe(true);
    expect(await verifyPassword("Same", a)).toBe(false);
    expect(await verifyPassword("same", "plain-text")).toBe(false);
    expect(await verifyPassword("same", null)).toBe(false);
  });

  test("wrong password, unknown user and an inactive account give the same 401, and each runs one scrypt", async () => {
    const timed = async (login: string, password: string) => {
      const t = performance.now();
      const r = await crm.http("POST", "/api/login", { login, password }, undefined, { "x-case": login });
      return { r, ms: performance.now() - t };
    };
    const wrong = await timed("lea", "nope");
    const unknown = await timed("nobody", "nope");
    const inactive = await timed("old", "gone-pass");
    for (const { r } of [wrong, unknown, inactive]) {
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: { code: "INVALID_CREDENTIALS", message: "wrong login or password" } });
      expect(r.headers.get("set-cookie")).toBeNull();
    }
    // same timing class: none of them skips the key derivation (a skipped scrypt answers in well under 5 ms)
    for (const { ms } of [wrong, unknown, inactive]) expect(ms).toBeGreaterThan(5);
  });

  test("a login returns a token, sets an HttpOnly SameSite=Lax cookie, and stores only the token's hash", async () => {
    const r = await crm.http("POST", "/api/login", { login: "lea", password: "right-pass" });
    expect(r.status).toBe(200);
    const token = r.body.token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = r.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`crm_session=${token}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const stored = await crm.dbs.db.sudo(() =>
      Session.search({ filter: [["user_id.login", "=", "lea"]], fields: ["token_hash"] }),
    );
    expect(stored.map((s) => s.token_hash)).toContain(tokenHash(token));
    expect(stored.map((s) => s.token_hash)).not.toContain(token);
    // the cookie works alone, as does the Bearer header
    expect(
      (await crm.http("GET", "/api/me", undefined, undefined, { cookie: `crm_session=${token}` })).body.data.login,
    ).toBe("lea");
    expect((await crm.http("GET", "/api/me", undefined, token)).body.data.login).toBe("lea");
  });

  test("logout revokes; an expired token and a revoked one are 401", async () => {
    const token = await crm.login("lea", "right-pass");
    expect((await crm.http("POST", "/api/logout", {}, token)).status).toBe(204);
    expect((await crm.http("GET", "/api/me", undefined, token)).status).toBe(401);
    expect((await crm.http("GET", "/auto/leads", undefined, token)).status).toBe(401);

    const other = await crm.login("lea", "right-pass");
    await crm.dbs.db.sudo(() =>
      Session.updateMany([["token_hash", "=", tokenHash(other)]], { expires_at: new Date(Date.now() - 1000) }),
    );
    const expired = await crm.http("GET", "/api/me", undefined, other);
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe("UNAUTHORIZED");

    const third = await crm.login("lea", "right-pass");
    await crm.sessions.revokeUser((await crm.dbs.db.sudo(() => User.query().filter({ login: "lea" }).get())).id);
    expect((await crm.http("GET", "/api/me", undefined, third)).status).toBe(401);
    // a forged token of the right shape opens nothing
    expect((await crm.http("GET", "/api/me", undefined, "A".repeat(43))).status).toBe(401);
  });

  test("the 11th login attempt within a minute for one login is 429, even with the right password", async () => {
    const codes: number[] = [];
    // from ten addresses: the per-login limit applies whatever the address
    for (let i = 0; i < 10; i++)
      codes.push(
        (
          await crm.http("POST", "/api/login", { login: "lim", password: "bad" }, undefined, {
            "x-test-ip": `203.0.113.${i}`,
          })
        ).status,
      );
    expect(codes.every((c) => c === 401)).toBe(true);
    const blocked = await crm.http("POST", "/api/login", { login: "lim", password: "limit-pass" }, undefined, {
      "x-test-ip": "203.0.113.77",
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  test("the 11th attempt within a minute from one address is 429, whatever the login", async () => {
    const ip = { "x-test-ip": "203.0.113.200" };
    for (let i = 0; i < 10; i++)
      expect(
        (await crm.http("POST", "/api/login", { login: `someone${i}`, password: "x" }, undefined, ip)).status,
      ).toBe(401);
    expect((await crm.http("POST", "/api/login", { login: "lea", password: "right-pass" }, undefined, ip)).status).toBe(
      429,
    );
    expect(
      (
        await crm.http("POST", "/api/login", { login: "lea", password: "right-pass" }, undefined, {
          "x-test-ip": "203.0.113.201",
        })
      ).status,
    ).toBe(200);
  });

  test("limits count per key in a sliding window", () => {
    let now = 0;
    const l = new RateLimiter(2, 1000, 100, () => now);
    expect([l.hit("a"), l.hit("a"), l.hit("a"), l.hit("b")]).toEqual([true, true, false, true]);
    now = 1001;
    expect(l.hit("a")).toBe(true);
  });

  test("writes must be JSON; bad bodies are 400 naming the field", async () => {
    const form = await crm.http("POST", "/api/login", undefined, undefined, {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(form.status).toBe(415);
    const token = await crm.login("lea", "right-pass");
    const text = await crm.app.request("/auto/leads", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: "{}",
    });
    expect(text.status).toBe(415);
    const missing = await crm.http("POST", "/api/login", { login: "lea" });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.field).toBe("password");
  });

  test("attachments: uploaded as base64 JSON up to 10 MB, sized by the server, read back as bytes; not writable through /auto", async () => {
    const token = await crm.login("lea", "right-pass");
    const lea = (await crm.dbs.db.sudo(() => User.query().filter({ login: "lea" }).get())).id;
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const up = await crm.http(
      "POST",
      "/api/attachments",
      { res_model: "users", res_id: lea, name: "tiny.bin", content: bytes.toString("base64") },
      token,
    );
    expect(up.status).toBe(201);
    expect(up.body.size).toBe(5);
    const down = await crm.app.request(`/api/attachments/${up.body.id}/content`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(down.headers.get("content-type")).toBe("application/octet-stream");
    expect(Buffer.from(await down.arrayBuffer())).toEqual(bytes);
    const meta = await crm.http("GET", `/auto/attachments/${up.body.id}?fields=name,size`, undefined, token);
    expect(meta.body.data).toMatchObject({ name: "tiny.bin", size: 5 });
    const big = await crm.http(
      "POST",
      "/api/attachments",
      {
        res_model: "users",
        res_id: lea,
        name: "big.bin",
        content: Buffer.alloc(10 * 1024 * 1024 + 3).toString("base64"),
      },
      token,
    );
    expect(big.status).toBe(413);
    const unknown = await crm.http(
      "POST",
      "/api/attachments",
      { res_model: "nope", res_id: 1, name: "x", content: "AAAA" },
      token,
    );
    expect(unknown.body.error.details.field).toBe("res_model");
    expect(
      (
        await crm.http(
          "POST",
          "/auto/attachments",
          { res_model: "users", res_id: lea, name: "x", content: "AAAA" },
          token,
        )
      ).status,
    ).toBeGreaterThanOrEqual(400);
    expect((await crm.http("DELETE", `/api/attachments/${up.body.id}`, undefined, token)).status).toBe(204);
    expect((await crm.http("GET", `/api/attachments/${up.body.id}/content`, undefined, token)).status).toBe(404);
  });

  test("configuration: each bad variable is named with what is wrong", () => {
    expect(loadConfig({}).PORT).toBe(3000);
    expect(loadConfig({}).SESSION_CACHE_SECONDS).toBe(5);
    expect(loadConfig({ SESSION_CACHE_SECONDS: "0" }).SESSION_CACHE_SECONDS).toBe(0);
    expect(loadConfig({ PORT: "8080", DATABASE_URL: "postgres://u:p@h/db" })).toMatchObject({
      PORT: 8080,
      DATABASE_URL: "postgres://u:p@h/db",
    });
    try {
      loadConfig({
        PORT: "eighty",
        DATABASE_URL: "sqlite://x",
        CLICKHOUSE_URL: "ftp://x",
        SEED_SIZE: "huge",
        SESSION_CACHE_SECONDS: "600",
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join("\n");
      for (const name of ["PORT", "DATABASE_URL", "CLICKHOUSE_URL", "SEED_SIZE", "SESSION_CACHE_SECONDS"])
        expect(problems).toContain(`${name}=`);
    }
  });
});
