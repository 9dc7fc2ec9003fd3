import { createHash, randomBytes } from "node:crypto";
import type { Database } from "@dotorm/core";
import { getCookie } from "hono/cookie";
import type { Context } from "hono";
import type { CrmSession } from "../access-setup.js";
import { Session } from "../models/users.js";
import { SessionCache } from "./session-cache.js";

/** The cookie that carries the session token (HttpOnly, SameSite=Lax). */
export const sessionCookie = "crm_session";

/** SHA-256 of a token: what the sessions table stores, so a leaked table opens no session. */
export function tokenHash(token: string): string {
  // createHash, not the one-shot crypto.hash: that needs Node 20.12, and the gain was not measurable
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

/** How a {@link SessionStore} keeps sessions it found between requests. */
export interface SessionCacheOptions {
  /** How long a found session is reused without reading the database again. Default 5 s; 0 turns the cache off. */
  readonly ms?: number;
  /** Most sessions kept (least recently used dropped first). Default 10,000. */
  readonly max?: number;
}

/**
 * Creates, finds and revokes login sessions. Tokens are 32 random bytes (base64url); only their
 * hash is stored, with an expiry. A request's session is looked up once and remembered for it, and
 * a found session is reused by the same token's requests for a few seconds (keyed by the token's
 * hash, never past the session's expiry). Logout, {@link SessionStore.revokeUser} and
 * {@link SessionStore.invalidate} (which the server calls after any write to users, roles or teams)
 * take effect at once; a change made to those tables by another process is seen within the cache's
 * lifetime. A token in use is read again in the background in its entry's last fifth, so that its
 * requests do not wait for the read when the entry expires.
 */
export class SessionStore {
  private readonly seen = new WeakMap<Request, CrmSession | null>();
  private readonly cache: SessionCache<CrmSession>;
  /** An entry with less life left than this is read again in the background when used. */
  private readonly refreshAheadMs: number;
  /** Lookups being read, by token hash, with the cache generation they started in. */
  private readonly reading = new Map<
    string,
    { generation: number; found: Promise<{ session: CrmSession; expiresAt: number } | undefined> }
  >();

  constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
    cache: SessionCacheOptions = {},
  ) {
    const ms = cache.ms ?? 5_000;
    this.cache = new SessionCache(ms, cache.max ?? 10_000);
    this.refreshAheadMs = ms / 5;
  }

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

  /** The session a token opens, if it exists, has not expired and its user is active (read from the database). */
  async find(token: string): Promise<CrmSession | undefined> {
    return (await this.lookup(tokenHash(token)))?.session;
  }

  /**
   * The session a token opens, reused from the cache when the same token was looked up a moment
   * ago. Concurrent requests of one token that miss the cache share one read of the database (a
   * browser's parallel calls, or every request in flight when the entry expires), unless anything
   * was removed from the cache since that read started: a request after a logout or a change to
   * users, roles or teams reads afresh.
   */
  async cached(token: string): Promise<CrmSession | undefined> {
    const hash = tokenHash(token);
    const hit = this.hit(hash);
    if (hit !== undefined) return hit;
    return (await this.read(hash))?.session;
  }

  /**
   * The cached session of `hash`; in the last fifth of the entry's life the next read starts in the
   * background (once), so that a token in use is read again before its entry expires and no request
   * waits for it. The entry is never used past its lifetime: a refresh that has not arrived by then
   * is waited for as a miss.
   */
  private hit(hash: string): CrmSession | undefined {
    const hit = this.cache.get(hash);
    if (hit !== undefined && this.cache.remaining(hash) < this.refreshAheadMs) {
      this.read(hash).catch(() => {}); // a failure shows on the read after the entry expired
    }
    return hit;
  }

  /**
   * Reads the session of `hash` and caches it, sharing a read already in flight unless anything was
   * removed from the cache since it started; a session no longer found is dropped from the cache.
   */
  private read(hash: string): Promise<{ session: CrmSession; expiresAt: number } | undefined> {
    const generation = this.cache.generation;
    const flight = this.reading.get(hash);
    if (flight?.generation === generation) return flight.found;
    const own = { generation, found: this.lookup(hash) };
    this.reading.set(hash, own);
    const done = () => {
      if (this.reading.get(hash) === own) this.reading.delete(hash);
    };
    own.found.then((found) => {
      if (found) this.cache.set(hash, found.session, found.expiresAt, generation);
      // gone meanwhile (revoked, expired, its user deactivated by another process): not served again
      else if (this.cache.generation === generation) this.cache.delete(hash);
      done();
    }, done);
    return own.found;
  }

  private async lookup(hash: string): Promise<{ session: CrmSession; expiresAt: number } | undefined> {
    const [row] = await this.db.sudo(() =>
      Session.search({
        filter: [
          ["token_hash", "=", hash],
          ["expires_at", ">", new Date()],
        ],
        fields: ["id", "expires_at"],
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
    if (!row || !user || user.active === false) return undefined;
    // frozen: one cached session is handed to every request of its token
    const session: CrmSession = Object.freeze({
      userId: user.id,
      login: user.login,
      isAdmin: user.is_admin === true,
      roles: Object.freeze(user.role_ids.map((r) => r.code)),
      teamIds: Object.freeze([...user.team_ids]),
    });
    return { session, expiresAt: new Date(row.expires_at as Date | string).getTime() };
  }

  /** The request's session (cached per request), or undefined when it carries no valid token. */
  async fromContext(c: Context): Promise<CrmSession | undefined> {
    return this.current(c);
  }

  /**
   * {@link SessionStore.fromContext}, without a promise when the answer is at hand (the request's
   * own, or its token's cached session): the hot path of every API request.
   */
  current(c: Context): CrmSession | undefined | Promise<CrmSession | undefined> {
    const req = c.req.raw;
    const seen = this.seen.get(req);
    if (seen !== undefined) return seen ?? undefined;
    const token = requestToken(c);
    if (token === undefined) {
      this.seen.set(req, null);
      return undefined;
    }
    const hit = this.hit(tokenHash(token));
    if (hit !== undefined) {
      this.seen.set(req, hit);
      return hit;
    }
    return this.cached(token).then((session) => {
      this.seen.set(req, session ?? null);
      return session;
    });
  }

  /** Ends the session of `token` (logout); true when one was ended. */
  async revoke(token: string): Promise<boolean> {
    const hash = tokenHash(token);
    try {
      return (await this.db.sudo(() => Session.deleteMany([["token_hash", "=", hash]]))) > 0;
    } finally {
      // after the delete: a lookup that read the row before it cannot cache it (new generation)
      this.cache.delete(hash);
    }
  }

  /** Ends every session of a user (password change, deactivation). */
  async revokeUser(userId: number): Promise<number> {
    try {
      return await this.db.sudo(() => Session.deleteMany([["user_id", "=", userId]]));
    } finally {
      this.cache.deleteWhere((s) => s.userId === userId);
    }
  }

  /**
   * Forgets every cached session, so the next request of each reads its user, roles and teams
   * again; call it after changing users, roles or team membership.
   */
  invalidate(): void {
    this.cache.clear();
  }
}
