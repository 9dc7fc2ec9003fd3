import type { Database } from "@dotorm/core";

/** Whose events a dashboard counts: everything, or a user's own (and their teams', for managers). */
export interface DashboardScope {
  readonly all: boolean;
  readonly userId: number;
  readonly teamIds: readonly number[];
}

/** The date range (UTC, `to` exclusive) and optional team of a dashboard request. */
export interface DashboardFilter {
  readonly from: Date;
  readonly to: Date;
  readonly teamId?: number;
}

/** A lead stage as the funnel orders it. */
export interface StageInfo {
  readonly id: number;
  readonly name: string;
  readonly sequence: number;
  readonly is_won: boolean;
  readonly is_lost: boolean;
}

const num = (v: unknown) => Number(v ?? 0);
const money = (v: unknown) => Math.round(num(v) * 100) / 100;

/**
 * The dashboard's aggregates over the `events` table on ClickHouse. Every query is one statement
 * with bound parameters; the scope condition keeps a salesperson to their own (and unassigned)
 * leads and their own events, a manager to those plus their teams'.
 */
export class Dashboard {
  constructor(private readonly ch: Database) {}

  private args(scope: DashboardScope, filter: DashboardFilter) {
    return {
      all: scope.all ? 1 : 0,
      uid: scope.userId,
      teams: scope.teamIds.length > 0 ? [...scope.teamIds] : [-1],
      team: filter.teamId ?? 0,
    };
  }

  /** Open pipeline as of `to`: per stage, the leads whose latest stage event puts them there, and their value. */
  async pipeline(scope: DashboardScope, filter: DashboardFilter, stages: readonly StageInfo[]) {
    const a = this.args(scope, filter);
    const rows = await this.ch.sql`
      SELECT stage_id, count() AS leads, sum(amount) AS value FROM (
        SELECT lead_id, argMax(stage_id, (at, id)) AS stage_id, argMax(amount, (at, id)) AS amount,
               argMax(user_id, (at, id)) AS user_id, argMax(team_id, (at, id)) AS team_id
        FROM events WHERE kind = 'lead_stage' AND at < ${filter.to} GROUP BY lead_id)
      WHERE (${a.all} = 1 OR user_id = ${a.uid} OR user_id IS NULL OR has(${a.teams}, team_id))
        AND (${a.team} = 0 OR team_id = ${a.team})
      GROUP BY stage_id`;
    const by = new Map(rows.map((r) => [num(r.stage_id), r]));
    return stages.map((s) => ({
      stage_id: s.id,
      stage: s.name,
      leads: num(by.get(s.id)?.leads),
      value: money(by.get(s.id)?.value),
    }));
  }

  /** Revenue of sales confirmed in the range, per month (`YYYY-MM`). */
  async wonRevenue(scope: DashboardScope, filter: DashboardFilter) {
    const a = this.args(scope, filter);
    const rows = await this.ch.sql`
      SELECT formatDateTime(toStartOfMonth(at), '%Y-%m') AS month, sum(amount) AS revenue, count() AS sales
      FROM events WHERE kind = 'sale_confirmed' AND at >= ${filter.from} AND at < ${filter.to}
        AND (${a.all} = 1 OR user_id = ${a.uid} OR has(${a.teams}, team_id)) AND (${a.team} = 0 OR team_id = ${a.team})
      GROUP BY month ORDER BY month`;
    return rows.map((r) => ({ month: String(r.month), revenue: money(r.revenue), sales: num(r.sales) }));
  }

  /** Conversion funnel: per stage (lost ones left out), the leads that reached it or a later one in the range. */
  async funnel(scope: DashboardScope, filter: DashboardFilter, stages: readonly StageInfo[]) {
    const open = [...stages].filter((s) => !s.is_lost).sort((x, y) => x.sequence - y.sequence || x.id - y.id);
    if (open.length === 0) return [];
    const a = this.args(scope, filter);
    const ids = open.map((s) => s.id);
    const ranks = open.map((_, i) => i + 1);
    const rows = await this.ch.sql`
      SELECT rank, count() AS leads FROM (
        SELECT lead_id, max(transform(stage_id, ${ids}, ${ranks}, 0)) AS rank
        FROM events WHERE kind = 'lead_stage' AND at >= ${filter.from} AND at < ${filter.to}
          AND (${a.all} = 1 OR user_id = ${a.uid} OR user_id IS NULL OR has(${a.teams}, team_id)) AND (${a.team} = 0 OR team_id = ${a.team})
        GROUP BY lead_id)
      WHERE rank > 0 GROUP BY rank`;
    const at = new Map(rows.map((r) => [num(r.rank), num(r.leads)]));
    let reached = 0;
    const out = open.map((s, i) => ({ stage_id: s.id, stage: s.name, leads: 0, i }));
    for (let i = out.length - 1; i >= 0; i--) {
      reached += at.get(i + 1) ?? 0;
      (out[i] as { leads: number }).leads = reached;
    }
    return out.map(({ i: _i, ...rest }) => rest);
  }

  /** Events per user per day (`YYYY-MM-DD`) in the range. */
  async activity(scope: DashboardScope, filter: DashboardFilter) {
    const a = this.args(scope, filter);
    const rows = await this.ch.sql`
      SELECT toString(toDate(at)) AS day, user_id, count() AS events
      FROM events WHERE at >= ${filter.from} AND at < ${filter.to} AND user_id IS NOT NULL
        AND (${a.all} = 1 OR user_id = ${a.uid} OR has(${a.teams}, team_id)) AND (${a.team} = 0 OR team_id = ${a.team})
      GROUP BY day, user_id ORDER BY day, user_id`;
    return rows.map((r) => ({ day: String(r.day), user_id: num(r.user_id), events: num(r.events) }));
  }

  /** Messages sent per day in the range. */
  async messages(scope: DashboardScope, filter: DashboardFilter) {
    const a = this.args(scope, filter);
    const rows = await this.ch.sql`
      SELECT toString(toDate(at)) AS day, count() AS messages
      FROM events WHERE kind = 'message' AND at >= ${filter.from} AND at < ${filter.to}
        AND (${a.all} = 1 OR user_id = ${a.uid} OR has(${a.teams}, team_id)) AND (${a.team} = 0 OR team_id = ${a.team})
      GROUP BY day ORDER BY day`;
    return rows.map((r) => ({ day: String(r.day), messages: num(r.messages) }));
  }
}
