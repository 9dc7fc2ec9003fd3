import type { Database } from "@dotorm/core";
import { RestError } from "@dotorm/rest";
import type { Context, Hono } from "hono";
import type { CrmSession } from "../access-setup.js";
import { Dashboard, type DashboardFilter, type DashboardScope, type StageInfo } from "../analytics/dashboard.js";
import type { EventWriter } from "../analytics/event-writer.js";
import { LeadStage } from "../models/crm.js";
import { requireSession } from "./http.js";
import type { SessionStore } from "./sessions.js";

/** What the dashboard routes need. */
export interface DashboardDeps {
  readonly db: Database;
  readonly analytics: Database;
  readonly sessions: SessionStore;
  /** Its count of written events tells the cache when the figures may have changed. */
  readonly events: Pick<EventWriter, "written">;
  /** How long a figure is served from the cache when no event was written meanwhile. Default 10 s. */
  readonly cacheMs?: number;
}

/**
 * Figures per (figure, scope, filter), shared by concurrent requests (one query answers them all)
 * and dropped as soon as this process writes an event, or after `ttlMs` (events written by another
 * process sharing the ClickHouse database).
 */
class FigureCache {
  private readonly entries = new Map<string, { generation: number; at: number; value: Promise<unknown> }>();

  constructor(
    private readonly generation: () => number,
    private readonly ttlMs: number,
  ) {}

  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.generation === this.generation() && now - hit.at < this.ttlMs) return hit.value as Promise<T>;
    if (this.entries.size >= 1000) this.entries.clear();
    const value = compute();
    this.entries.set(key, { generation: this.generation(), at: now, value });
    value.catch(() => this.entries.delete(key));
    return value;
  }
}

const day = 86_400_000;

function dateParam(c: Context, name: string, fallback: Date): Date {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return fallback;
  const d = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? new Date(`${raw}T00:00:00Z`) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== raw) {
    throw new RestError(
      400,
      "VALIDATION_ERROR",
      `${name}: must be a date as YYYY-MM-DD, got ${JSON.stringify(raw.slice(0, 32))}`,
      { field: name },
    );
  }
  return d;
}

/** `from` (inclusive, default a year ago), `to` (inclusive day, default today) and `team_id` from the query string. */
export function dashboardFilter(c: Context, now = new Date()): DashboardFilter {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const from = dateParam(c, "from", new Date(today.getTime() - 365 * day));
  const to = new Date(dateParam(c, "to", today).getTime() + day);
  if (from >= to) throw new RestError(400, "VALIDATION_ERROR", "from: must be on or before to", { field: "from" });
  const team = c.req.query("team_id");
  if (team === undefined || team === "") return { from, to };
  if (!/^[1-9][0-9]{0,15}$/.test(team))
    throw new RestError(400, "VALIDATION_ERROR", "team_id: must be a positive integer", { field: "team_id" });
  return { from, to, teamId: Number(team) };
}

/** What a session's dashboard counts: admins and viewers everything; others their own, managers their teams' too. */
export function dashboardScope(s: CrmSession): DashboardScope {
  const all = s.isAdmin || s.roles.includes("admin") || s.roles.includes("viewer");
  return { all, userId: s.userId, teamIds: s.roles.includes("sales_manager") ? s.teamIds : [] };
}

/**
 * `GET /api/dashboard` (every figure) and `GET /api/dashboard/<figure>` for pipeline, won-revenue,
 * funnel, activity and messages; query `from`, `to` (YYYY-MM-DD) and `team_id`.
 */
export function dashboardRoutes(app: Hono, deps: DashboardDeps): void {
  const dashboard = new Dashboard(deps.analytics);
  const stages = async (): Promise<StageInfo[]> =>
    (await deps.db.sudo(() =>
      LeadStage.search({ order: "sequence, id", fields: ["name", "sequence", "is_won", "is_lost"] }),
    )) as unknown as StageInfo[];
  const figures = {
    pipeline: async (s: DashboardScope, f: DashboardFilter) => dashboard.pipeline(s, f, await stages()),
    "won-revenue": (s: DashboardScope, f: DashboardFilter) => dashboard.wonRevenue(s, f),
    funnel: async (s: DashboardScope, f: DashboardFilter) => dashboard.funnel(s, f, await stages()),
    activity: (s: DashboardScope, f: DashboardFilter) => dashboard.activity(s, f),
    messages: (s: DashboardScope, f: DashboardFilter) => dashboard.messages(s, f),
  };
  const cache = new FigureCache(() => deps.events.written, deps.cacheMs ?? 10_000);
  const figure = (name: keyof typeof figures, scope: DashboardScope, filter: DashboardFilter) =>
    cache.get<unknown>(JSON.stringify([name, scope.all ? "all" : scope, filter]), () => figures[name](scope, filter));
  const input = async (c: Context) => ({
    scope: dashboardScope(await requireSession(deps.sessions, c)),
    filter: dashboardFilter(c),
  });

  app.get("/api/dashboard", async (c) => {
    const { scope, filter } = await input(c);
    const names = Object.keys(figures) as (keyof typeof figures)[];
    const entries = await Promise.all(names.map(async (name) => [name, await figure(name, scope, filter)] as const));
    return c.json({ data: Object.fromEntries(entries) });
  });
  for (const name of Object.keys(figures) as (keyof typeof figures)[]) {
    app.get(`/api/dashboard/${name}`, async (c) => {
      const { scope, filter } = await input(c);
      return c.json({ data: await figure(name, scope, filter) });
    });
  }
}
