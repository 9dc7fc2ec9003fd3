import { QueryError } from "@dotorm/core";
import type { Hono } from "hono";
import type { CrudConfig } from "./crud-options.js";
import { checkFilter, checkLimit, visibleField } from "./read-guard.js";
import { type RestEnv, api, asSession, bodyOf, modelOf } from "./request-context.js";
import { aggregateBody } from "./request-schemas.js";
import { serializeAggregate } from "./serialize.js";
import { validate } from "./validate.js";

/** `POST <t>/aggregate` `{ filter, groupBy, aggregate, having, order, limit, offset }` -> `{ data }`, one row per group. */
export function aggregateRoute(app: Hono<RestEnv>, cfg: CrudConfig): void {
  app.post(`${cfg.prefix}/:model/aggregate`, async (c) => {
    const { meta } = modelOf(cfg, c, "read");
    const body = validate(aggregateBody, await bodyOf(c), "aggregate body");
    const groupBy = (body.groupBy ?? []).map((name) => visibleField(meta, name).name);
    const spec: Record<string, [string, string]> = {};
    for (const [alias, [name, fn]] of Object.entries(body.aggregate)) {
      if (meta.fields.has(alias) && !groupBy.includes(alias)) {
        throw new QueryError(`aggregate alias "${alias}" is also a field of ${meta.table}; pick another name`, alias);
      }
      spec[alias] = [visibleField(meta, name).name, fn];
    }
    const filter = body.filter;
    if (filter !== undefined) checkFilter(meta, filter);
    const limit = checkLimit(cfg, body.limit) ?? cfg.maxLimit;
    const rows = await asSession(cfg, c, () => {
      let qs = api(meta).query();
      if (filter) qs = qs.where(filter);
      // having and order first: a sliced query set refuses them
      let grouped = qs.groupBy(...groupBy);
      if (body.having) grouped = grouped.having(body.having);
      if (body.order) grouped = grouped.orderBy(...body.order);
      if (body.offset !== undefined) grouped = grouped.offset(body.offset);
      return grouped.limit(limit).aggregate(spec);
    });
    return c.json({ data: rows.map((r) => serializeAggregate(meta, groupBy, r)) });
  });
}
