import { createHash, randomBytes } from "node:crypto";
import type { Database } from "@dotorm/core";
import { getCookie } from "hono/cookie";
import type { Context } from "hono";
import type { CrmSession } from "../access-setup.js";
import { Session } from "../models/users.js";

/** The cookie that carries the session token (HttpOnly, SameSite=Lax). */
export const sessionCookie = "crm_session";

/** SHA-256 of a token: what the sessions table stores, so a leaked table opens no session. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The token a request carries: `Authorization: Bearer <token>`, else the session cookie. */
export function requestToken(c: Context): string | undefined {
  const auth = c.req.header("authorization");
  const bearer = auth?.match(/^Bearer\s+([A-Za-z0-9_-]{20,128})\s*$/i)?.[1];
  if (bearer) return bearer;
  const cookie = getCookie(c, sessionCookie);
  return cookie && /^[A-Za-z0-9_-]{20,128}$/.test(cookie) ? cookie : undefined;
}

/**
 * Creates, finds and revokes login sessions. Tokens are 32 random bytes (base64url); only their
 * hash is stored, with an expiry. A request's session is looked up once and remembered for it.
 */
export class SessionStore {
  private readonly seen = new WeakMap<Request, CrmSession | null>();

  constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
  ) {}

  /** Starts a session for `userId`; returns the token (to send once) and its expiry. */
  async create(userId: number, meta: { userAgent?: string; ip?: string }): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + this.ttlMs);
    await this.db.sudo(async () => {
      await Session.deleteMany([["expires_at", "<", new Date()]]);
      await Session.create({
        token_hash: tokenHash(token),
        user_id: userId,
        expires_at: expiresAt,
        user_agent: meta.userAgent?.slice(0, 255) ?? null,
        ip: meta.ip?.slice(0, 64) ?? null,
      });
    });
    return { token, expiresAt };
  }

  /** The session a token opens, if it exists, has not expired and its user is active. */
  async find(token: string): Promise<CrmSession | undefined> {
    const [row] = await this.db.sudo(() =>
      Session.search({
        filter: [
          ["token_hash", "=", tokenHash(token)],
          ["expires_at", ">", new Date()],
        ],
        fields: ["id"],
        nested: { user_id: ["login", "is_admin", "active", "team_ids", { role_ids: ["code"] }] },
        limit: 1,
      }),
    );
    const user = row?.user_id as unknown as
      | {
          id: number;
          login: string;
          is_admin: boolean;
          active: boolean;
          team_ids: number[];
          role_ids: { code: string }[];
        }
      | undefined;
    if (!user || user.active === false) return undefined;
    return {
      userId: user.id,
      login: user.login,
      isAdmin: user.is_admin === true,
      roles: user.role_ids.map((r) => r.code),
      teamIds: user.team_ids,
    };
  }

  /** The request's session (cached per request), or undefined when it carries no valid token. */
  async fromContext(c: Context): Promise<CrmSession | undefined> {
    const req = c.req.raw;
    if (this.seen.has(req)) return this.seen.get(req) ?? undefined;
    const token = requestToken(c);
    const session = token === undefined ? undefined : await this.find(token);
    this.seen.set(req, session ?? null);
    return session;
  }

  /** Ends the session of `token` (logout); true when one was ended. */
  async revoke(token: string): Promise<boolean> {
    return (await this.db.sudo(() => Session.deleteMany([["token_hash", "=", tokenHash(token)]]))) > 0;
  }

  /** Ends every session of a user (password change, deactivation). */
  async revokeUser(userId: number): Promise<number> {
    return this.db.sudo(() => Session.deleteMany([["user_id", "=", userId]]));
  }
}
