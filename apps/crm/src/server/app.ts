import type { Database } from "@dotorm/core";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { EventWriter } from "../analytics/event-writer.js";
import { attachmentRoutes } from "./attachment-routes.js";
import { authRoutes } from "./auth-routes.js";
import { autoRoutes } from "./auto-routes.js";
import { ChatHub } from "./chat-hub.js";
import { chatRoutes } from "./chat-routes.js";
import { dashboardRoutes } from "./dashboard-routes.js";
import { exportRoutes } from "./export-routes.js";
import { kanbanRoutes } from "./kanban-routes.js";
import { errorReply } from "./http.js";
import { salesRoutes } from "./sales-routes.js";
import { SessionStore } from "./sessions.js";
import { webRoutes } from "./web-routes.js";

/** What {@link createApp} is built from. */
export interface AppOptions {
  readonly db: Database;
  readonly analytics: Database;
  readonly events: EventWriter;
  /** Session lifetime. Default 12 hours. */
  readonly sessionTtlMs?: number;
  /**
   * How long a found session is reused by its token's next requests without reading the database
   * (writes through this server to users, roles or teams and logouts take effect at once; other
   * processes' changes within this time). Default 5 s; 0 reads the session on every request.
   */
  readonly sessionCacheMs?: number;
  /** Send the session cookie with `Secure` (behind HTTPS). Default false. */
  readonly cookieSecure?: boolean;
  /** Login attempts per login and per IP per minute. Default 10. */
  readonly loginLimit?: number;
  /** Keep-alive interval of chat streams. Default 15 s. */
  readonly heartbeatMs?: number;
  /** The built web UI served at `/`. Default apps/crm/dist/web (a JSON pointer to the API when absent). */
  readonly webDir?: string;
  /** Most rows one CSV export may hold. Default 100,000. */
  readonly exportMaxRows?: number;
  /** Where server faults are reported. Default console.error. */
  readonly log?: (message: string, error: unknown) => void;
}

/** The server's Hono app and the parts the process manages (streams to end on shutdown). */
export interface CrmApp {
  readonly app: Hono;
  readonly hub: ChatHub;
  readonly sessions: SessionStore;
  /** Requests being handled (a client that hung up does not end its request's work). */
  readonly inFlight: () => number;
  /** Resolves once no request is being handled, or after `timeoutMs`; true when idle. */
  idle(timeoutMs: number): Promise<boolean>;
}

const writes = new Set(["POST", "PUT", "PATCH"]);

/**
 * The CRM's HTTP API: `/api/login|logout|me`, the dashboard, live chat, sale confirmation and
 * attachments under `/api`, and every model's generic CRUD under `/auto` (with OpenAPI at
 * `/auto/openapi.json` and docs at `/auto/docs`), all as the logged-in user.
 *
 * @example
 * const { app } = createApp({ db, analytics, events: new EventWriter() });
 * serve({ fetch: app.fetch, port: 3000 });
 */
export function createApp(options: AppOptions): CrmApp {
  const log = options.log ?? ((message, error) => console.error(`[crm] ${message}`, error));
  const sessions = new SessionStore(options.db, options.sessionTtlMs ?? 12 * 3_600_000, {
    ms: options.sessionCacheMs,
  });
  const hub = new ChatHub();
  const app = new Hono();

  let inFlight = 0;
  const waiting = new Set<() => void>();
  app.use("*", async (_c, next) => {
    inFlight++;
    try {
      await next();
    } finally {
      if (--inFlight === 0) for (const wake of waiting) wake();
    }
  });
  app.use("*", secureHeaders());
  // Writes carry JSON: a cross-site form cannot send it without a CORS preflight, so a cookie alone cannot forge a write.
  app.use("*", (c, next) => {
    const method = c.req.method;
    // reads go straight on (one async frame less per request)
    if (method === "GET" || method === "HEAD") return next();
    const bodied = writes.has(method) || (method === "DELETE" && Number(c.req.header("content-length") ?? 0) > 0);
    if (bodied && !/^application\/json\s*(;|$)/i.test(c.req.header("content-type") ?? "")) {
      return Promise.resolve(
        c.json(
          { error: { code: "UNSUPPORTED_MEDIA_TYPE", message: 'writes must send "content-type: application/json"' } },
          415,
        ),
      );
    }
    return next();
  });
  app.onError((e, c) => {
    const { status, body } = errorReply(e, log);
    return c.json(body, status as 400);
  });
  app.notFound((c) =>
    c.json({ error: { code: "NOT_FOUND", message: `no route ${c.req.method} ${c.req.path.slice(0, 200)}` } }, 404),
  );

  app.get("/api/health", (c) => c.json({ ok: true }));
  authRoutes(app, {
    db: options.db,
    sessions,
    events: options.events,
    cookieSecure: options.cookieSecure ?? false,
    loginLimit: options.loginLimit,
  });
  dashboardRoutes(app, { db: options.db, analytics: options.analytics, sessions, events: options.events });
  chatRoutes(app, { db: options.db, sessions, hub, events: options.events, heartbeatMs: options.heartbeatMs });
  salesRoutes(app, { db: options.db, sessions, events: options.events });
  kanbanRoutes(app, { db: options.db, sessions });
  exportRoutes(app, { db: options.db, sessions, maxRows: options.exportMaxRows, log });
  attachmentRoutes(app, { db: options.db, sessions });
  autoRoutes(app, { db: options.db, sessions, events: options.events, hub });
  webRoutes(app, options.webDir);
  const idle = (timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      if (inFlight === 0) return resolve(true);
      const wake = () => {
        clearTimeout(timer);
        waiting.delete(wake);
        resolve(inFlight === 0);
      };
      const timer = setTimeout(wake, timeoutMs);
      waiting.add(wake);
    });
  return { app, hub, sessions, inFlight: () => inFlight, idle };
}
