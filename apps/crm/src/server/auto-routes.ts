import type { Database } from "@dotorm/core";
import { crud, unauthorized } from "@dotorm/rest";
import type { Context, Hono } from "hono";
import type { CrmSession } from "../access-setup.js";
import type { EventWriter } from "../analytics/event-writer.js";
import { Lead } from "../models/crm.js";
import { announceMessage } from "./chat-routes.js";
import type { ChatHub } from "./chat-hub.js";
import type { SessionStore } from "./sessions.js";

/** What the `/auto` API needs. */
export interface AutoDeps {
  readonly db: Database;
  readonly sessions: SessionStore;
  readonly events: EventWriter;
  readonly hub: ChatHub;
}

/** Tables a session is read from (the user, their roles' codes, their teams): a write to one forgets cached sessions. */
const sessionTables = new Set(["users", "roles", "sales_teams"]);
const reads = new Set(["GET", "HEAD", "OPTIONS"]);

function signedIn(s: CrmSession | undefined): CrmSession {
  if (!s) throw unauthorized();
  return s;
}

/** Sale fields only `POST /api/sales/:id/confirm` sets. */
const serverOnly: Record<string, readonly string[]> = { sales: ["state", "confirmed_at", "amount_total"] };

type LeadState = {
  id: number;
  stage_id: number;
  user_id: number | null;
  team_id: number | null;
  expected_revenue: string | null;
};

async function leadStates(db: Database, ids: readonly number[]): Promise<Map<number, LeadState>> {
  if (ids.length === 0) return new Map();
  const rows = await db.sudo(() =>
    Lead.search({ filter: [["id", "in", [...ids]]], fields: ["stage_id", "user_id", "team_id", "expected_revenue"] }),
  );
  return new Map(rows.map((r) => [r.id, r as unknown as LeadState]));
}

async function bodyOf(c: Context): Promise<unknown> {
  try {
    return await c.req.raw.clone().json();
  } catch {
    return undefined; // the REST API answers the malformed body itself
  }
}

const ids = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => Number.isSafeInteger(x)) : []);

/**
 * The generic REST API of every model (`@dotorm/rest`) at `/auto`, each request run as its
 * session, wrapped so that the CRM notices what it must: a lead entering a stage and a message
 * posted become analytics events (and live chat deliveries), and sale fields only the confirm
 * route sets are refused. Sessions are not exposed; attachments are read-only here (uploads go
 * through `/api/attachments`, which checks their size).
 */
export function autoRoutes(app: Hono, deps: AutoDeps): void {
  // a cached session is handed over as it is (no promise): REST runs the request in it at once
  const session = (c: Context): CrmSession | Promise<CrmSession> => {
    const s = deps.sessions.current(c);
    return s instanceof Promise ? s.then(signedIn) : signedIn(s);
  };
  const rest = crud(deps.db, {
    prefix: "/auto",
    session,
    models: {
      ...Object.fromEntries([...deps.db.models.keys()].map((t) => [t, true])),
      sessions: false,
      attachments: { write: false },
    },
    maxLimit: 500,
    info: {
      title: "DotORM CRM",
      version: "1.0.0",
      description: "The example CRM's generic API: every model, as the logged-in user.",
    },
  });

  app.all("/auto/*", async (c) => {
    const method = c.req.method;
    // a read changes nothing the CRM watches (no body to guard, no stage change, no session table written)
    if (reads.has(method)) return rest.fetch(c.req.raw, c.env);
    const [, , table, id] = c.req.path.split("/");
    const body = method === "POST" || method === "PATCH" ? await bodyOf(c) : undefined;

    const guarded = table === undefined ? undefined : serverOnly[table];
    if (guarded && body && typeof body === "object") {
      const values = (id === undefined && method === "PATCH" ? (body as { values?: unknown }).values : body) as
        | Record<string, unknown>
        | undefined;
      const bad = guarded.find((f) => values && typeof values === "object" && Object.hasOwn(values, f));
      if (bad && id !== "search") {
        return c.json(
          {
            error: {
              code: "VALIDATION_ERROR",
              message: `${table}.${bad} is set by the server (confirm the sale instead)`,
              details: { field: bad },
            },
          },
          400,
        );
      }
    }

    const leadWrite =
      table === "leads" && method === "PATCH" && id !== undefined
        ? /^\d+$/.test(id)
          ? [Number(id)]
          : []
        : table === "leads" && method === "PATCH"
          ? ids((body as { ids?: unknown })?.ids)
          : [];
    const before = await leadStates(deps.db, leadWrite);

    let res: Response;
    try {
      res = await rest.fetch(c.req.raw, c.env);
    } finally {
      // after the write (committed or failed): the next request of every session reads it afresh
      if (!reads.has(method) && table !== undefined && sessionTables.has(table)) deps.sessions.invalidate();
    }
    if (!res.ok) return res;

    if (table === "leads" && (method === "PATCH" || (method === "POST" && id === undefined))) {
      const created = method === "POST" ? ((await res.clone().json()) as { id?: number }).id : undefined;
      const after = await leadStates(deps.db, created === undefined ? leadWrite : [created]);
      for (const lead of after.values()) {
        if (before.get(lead.id)?.stage_id === lead.stage_id) continue;
        deps.events.record({
          kind: "lead_stage",
          lead_id: lead.id,
          stage_id: lead.stage_id,
          user_id: lead.user_id,
          team_id: lead.team_id,
          amount: lead.expected_revenue ?? 0,
        });
      }
    }
    if (table === "chat_messages" && method === "POST" && id === undefined) {
      const created = ((await res.clone().json()) as { id?: number }).id;
      if (created !== undefined) await announceMessage(deps, created, await session(c));
    }
    return res;
  });
}
