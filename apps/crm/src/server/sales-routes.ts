import { type Database, RecordNotFound } from "@dotorm/core";
import { RestError } from "@dotorm/rest";
import type { Hono } from "hono";
import type { EventWriter } from "../analytics/event-writer.js";
import { Sale, SaleLine, lineAmount } from "../models/sales.js";
import { idParam, requireSession } from "./http.js";
import type { SessionStore } from "./sessions.js";

/** What the sales routes need. */
export interface SalesDeps {
  readonly db: Database;
  readonly sessions: SessionStore;
  readonly events: EventWriter;
}

/** Sums line amounts exactly, in cents. */
function total(lines: readonly { quantity: unknown; price_unit: unknown; discount: unknown }[]): string {
  const cents = lines.reduce(
    (sum, l) => sum + Math.round(Number(lineAmount(l.quantity, l.price_unit, l.discount)) * 100),
    0,
  );
  return (cents / 100).toFixed(2);
}

/**
 * `POST /api/sales/:id/confirm`: a draft sale the user may update becomes confirmed, its total
 * set from its lines, in one transaction; a `sale_confirmed` event records the revenue.
 */
export function salesRoutes(app: Hono, deps: SalesDeps): void {
  app.post("/api/sales/:id/confirm", async (c) => {
    const s = await requireSession(deps.sessions, c);
    const id = idParam(c);
    const sale = await deps.db.withSession(s, () =>
      deps.db.transaction(async () => {
        const found = await Sale.getOrNull(id, { fields: ["state", "user_id", "team_id"] });
        if (!found) throw new RecordNotFound("sales", id);
        if (found.state !== "draft")
          throw new RestError(409, "CONFLICT", `sale ${id} is ${found.state}; only a draft can be confirmed`);
        const lines = await SaleLine.search({
          filter: [["sale_id", "=", id]],
          fields: ["quantity", "price_unit", "discount"],
        });
        const amount = total(lines);
        await Sale.updateMany([id], { state: "confirmed", confirmed_at: new Date(), amount_total: amount });
        return { ...found, amount_total: amount };
      }),
    );
    deps.events.record({
      kind: "sale_confirmed",
      user_id: sale.user_id,
      team_id: sale.team_id,
      amount: sale.amount_total,
    });
    return c.json({ data: { id, state: "confirmed", amount_total: sale.amount_total } });
  });
}
