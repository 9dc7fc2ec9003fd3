import { type AnyModel, f, model } from "@dotorm/core";
import { Lead, Partner } from "./crm.js";
import { SalesTeam, User } from "./users.js";

/** Something sold. */
export const Product = model("products", {
  name: f.char({ maxLength: 255, required: true }),
  code: f.char({ maxLength: 64, unique: true }),
  price: f.decimal({ precision: 14, scale: 2, default: "0" }),
  active: f.boolean({ default: true }),
});

/** Where a sale is: a draft quote, confirmed (counts as revenue) or cancelled. */
export const saleStates = [
  ["draft", "Quotation"],
  ["confirmed", "Confirmed"],
  ["cancelled", "Cancelled"],
] as const;

/**
 * A sale (quotation, then order). `state`, `confirmed_at` and `amount_total` are set by the server
 * when the sale is confirmed (`POST /api/sales/:id/confirm`); the API refuses them in writes.
 */
export const Sale = model(
  "sales",
  {
    name: f.char({ maxLength: 64, required: true }),
    partner_id: f.many2one(() => Partner, { required: true }),
    lead_id: f.many2one(() => Lead),
    user_id: f.many2one(() => User, { label: "Salesperson" }),
    team_id: f.many2one(() => SalesTeam),
    state: f.selection({ options: saleStates, default: "draft", required: true }),
    confirmed_at: f.datetime(),
    amount_total: f.decimal({ precision: 14, scale: 2, default: "0" }),
    line_ids: f.one2many((): AnyModel => SaleLine, "sale_id"),
    created_at: f.datetime({ default: "now", readonly: true }),
  },
  { indexes: [["state", "confirmed_at"]] },
);

/** Exact cents of quantity × price − discount, computed without floating-point drift. */
export function lineAmount(quantity: unknown, price: unknown, discount: unknown): string {
  const cents = (v: unknown) => Math.round(Number(v ?? 0) * 100);
  const total = Math.round((cents(quantity) * cents(price)) / 100) - cents(discount);
  const sign = total < 0 ? "-" : "";
  const abs = Math.abs(total);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** A line of a sale; its subtotal is computed on read from quantity × price − discount. */
export const SaleLine = model("sale_lines", {
  sale_id: f.many2one(() => Sale, { required: true, onDelete: "cascade" }),
  product_id: f.many2one(() => Product, { required: true }),
  quantity: f.decimal({ precision: 12, scale: 2, default: "1" }),
  price_unit: f.decimal({ precision: 14, scale: 2, default: "0" }),
  discount: f.decimal({ precision: 14, scale: 2, default: "0", help: "an amount taken off the line" }),
  subtotal: f.decimal({
    store: false,
    depends: ["quantity", "price_unit", "discount"],
    compute: (r) => lineAmount(r.quantity, r.price_unit, r.discount),
  }),
});
