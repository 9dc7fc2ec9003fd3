import type { Database } from "@dotorm/core";
import { RestError } from "@dotorm/rest";
import type { Hono } from "hono";
import { Lead, LeadStage } from "../models/crm.js";
import { requireSession } from "./http.js";
import type { SessionStore } from "./sessions.js";

/** What the kanban route needs. */
export interface KanbanDeps {
  readonly db: Database;
  readonly sessions: SessionStore;
}

/** The fields of a kanban card, with the partner's and salesperson's names. */
export const cardFields = ["name", "expected_revenue", "priority", "stage_id", "partner_id", "user_id"] as const;

/** Cards per column unless `?limit=` says otherwise (1 to 100). */
const defaultLimit = 40;

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return defaultLimit;
  const n = /^[1-9][0-9]{0,2}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= 100))
    throw new RestError(400, "VALIDATION_ERROR", "limit must be an integer from 1 to 100", { field: "limit" });
  return n;
}

/**
 * `GET /api/kanban?limit=40`: the whole pipeline board in one request, as the logged-in user: the
 * stages in order, and per stage the number of leads the user may read, their expected revenue and
 * the newest `limit` cards. One grouped aggregate gives every column's count and sum, so the cards
 * are read without a count per column (the generic `/auto` search would count each full column).
 */
export function kanbanRoutes(app: Hono, deps: KanbanDeps): void {
  app.get("/api/kanban", async (c) => {
    const s = await requireSession(deps.sessions, c);
    const unknown = Object.keys(c.req.queries()).filter((k) => k !== "limit");
    if (unknown.length > 0)
      throw new RestError(400, "VALIDATION_ERROR", `unknown query parameter "${unknown[0]}"`, { field: unknown[0] });
    // a parameter given twice is refused rather than guessed at, as the REST API does
    if ((c.req.queries("limit")?.length ?? 0) > 1)
      throw new RestError(400, "VALIDATION_ERROR", "limit is given more than once", { field: "limit" });
    const limit = limitOf(c.req.query("limit"));
    const board = await deps.db.withSession(s, async () => {
      const stages = await LeadStage.search({ fields: ["name", "sequence"], order: "sequence, id", limit: 50 });
      const sums = await Lead.query()
        .groupBy("stage_id")
        .aggregate({ n: ["id", "count"], total: ["expected_revenue", "sum"] });
      const byStage = new Map(sums.map((r) => [Number(r.stage_id), r]));
      const columns = [];
      for (const stage of stages) {
        const sum = byStage.get(stage.id);
        const n = Number(sum?.n ?? 0);
        const cards =
          n === 0
            ? []
            : await Lead.search({
                filter: [["stage_id", "=", stage.id]],
                fields: [...cardFields],
                nested: { partner_id: ["name"], user_id: ["name"] },
                order: "id desc",
                limit,
              });
        columns.push({ stage_id: stage.id, n, total: sum?.total == null ? "0" : String(sum.total), cards });
      }
      return { stages, columns };
    });
    return c.json({ data: board });
  });
}
