import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { CrmSession } from "../access-setup.js";
import type { EventWriter } from "../analytics/event-writer.js";
import { User } from "../models/users.js";
import type { Database } from "@dotorm/core";
import { jsonBody, requireSession } from "./http.js";
import { verifyPassword } from "./passwords.js";
import { RateLimiter } from "./rate-limit.js";
import { type SessionStore, requestToken, sessionCookie } from "./sessions.js";

/** What the auth routes need. */
export interface AuthDeps {
  readonly db: Database;
  readonly sessions: SessionStore;
  readonly events: EventWriter;
  readonly cookieSecure: boolean;
  /** Attempts per login and per IP per minute before 429. Default 10. */
  readonly loginLimit?: number;
}

const credentials = z.strictObject({
  login: z.string().trim().min(1, "is required").max(100, "is too long"),
  password: z.string().min(1, "is required").max(1024, "is too long"),
});

/** The one answer to every failed login: unknown user, wrong password and inactive account read the same. */
const invalid = { error: { code: "INVALID_CREDENTIALS", message: "wrong login or password" } } as const;

/** The client's address as the socket saw it (no proxy headers are trusted). */
export function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // not served by @hono/node-server (tests call app.request)
  }
}

/** The user as `/api/me` and `/api/login` return it. */
export async function profile(db: Database, s: CrmSession) {
  const u = await db.sudo(() =>
    User.get(s.userId, { fields: ["name", "login", "email", "is_admin", "lang", "team_ids"] }),
  );
  return {
    id: u.id,
    name: u.name,
    login: u.login,
    email: u.email,
    is_admin: u.is_admin,
    lang: u.lang,
    roles: [...s.roles],
    team_ids: [...s.teamIds],
  };
}

/** `POST /api/login`, `POST /api/logout`, `GET /api/me`. */
export function authRoutes(app: Hono, deps: AuthDeps): void {
  const limit = deps.loginLimit ?? 10;
  const perIp = new RateLimiter(limit, 60_000);
  const perLogin = new RateLimiter(limit, 60_000);

  app.post("/api/login", async (c) => {
    const { login, password } = await jsonBody(c, credentials);
    const ip = clientIp(c);
    const ipKey = `ip:${ip}`;
    const loginKey = `login:${login.toLowerCase()}`;
    const okIp = perIp.hit(ipKey);
    const okLogin = perLogin.hit(loginKey);
    if (!okIp || !okLogin) {
      const wait = Math.max(perIp.retryAfter(ipKey), perLogin.retryAfter(loginKey), 1);
      return c.json(
        { error: { code: "TOO_MANY_ATTEMPTS", message: `too many login attempts; try again in ${wait} s` } },
        429,
        { "Retry-After": String(wait) },
      );
    }
    const [user] = await deps.db.sudo(() =>
      User.search({ filter: [["login", "=", login]], fields: ["password_hash", "active"], limit: 1 }),
    );
    const matches = await verifyPassword(password, user?.password_hash);
    if (!user || !matches || user.active === false) return c.json(invalid, 401);
    const { token, expiresAt } = await deps.sessions.create(user.id, { userAgent: c.req.header("user-agent"), ip });
    const session = await deps.sessions.find(token);
    if (!session) return c.json(invalid, 401);
    setCookie(c, sessionCookie, token, {
      httpOnly: true,
      sameSite: "Lax",
      secure: deps.cookieSecure,
      path: "/",
      expires: expiresAt,
    });
    deps.events.record({ kind: "login", user_id: user.id, team_id: session.teamIds[0] ?? null });
    return c.json({ token, expires_at: expiresAt.toISOString(), user: await profile(deps.db, session) });
  });

  app.post("/api/logout", async (c) => {
    await requireSession(deps.sessions, c);
    await deps.sessions.revoke(requestToken(c) as string);
    deleteCookie(c, sessionCookie, { path: "/", secure: deps.cookieSecure });
    return c.body(null, 204);
  });

  app.get("/api/me", async (c) => c.json({ data: await profile(deps.db, await requireSession(deps.sessions, c)) }));
}
