import { type Id, type ModelMeta, checkId } from "@dotorm/core";
import type { Context, Hono } from "hono";
import { z } from "zod";
import { type CrudConfig, isPrivate, isReadonly } from "./crud-options.js";
import { checkLimit } from "./read-guard.js";
import { type RestEnv, api, asSession, bodyOf, idOf, modelOf, queryOf } from "./request-context.js";
import { bulkIds, noQuery } from "./request-schemas.js";
import { badRequest, notFound } from "./rest-error.js";
import { serialize } from "./serialize.js";
import { validate } from "./validate.js";
import { type WriteMode, valuesSchema } from "./write-schemas.js";

/** Refuses readonly fields on update by name (private ones read as unknown, as everywhere). */
function refuseReadonly(meta: ModelMeta, values: unknown): void {
  if (typeof values !== "object" || values === null || Array.isArray(values)) return;
  for (const key of Object.keys(values)) {
    const field = meta.fields.get(key);
    if (field && !isPrivate(field) && isReadonly(field))
      throw badRequest(`${meta.table}.${key} is readonly and cannot be updated`, key);
  }
}

function values(meta: ModelMeta, raw: unknown, mode: WriteMode): Record<string, unknown> {
  if (mode === "update") refuseReadonly(meta, raw);
  return validate(valuesSchema(meta, mode), raw, `${meta.table} values`);
}

/** Transactions where the database has them (ClickHouse has none: each statement stands alone). */
function atomic<T>(cfg: CrudConfig, fn: () => Promise<T>): Promise<T> {
  return cfg.db.adapter.capabilities.transactions ? cfg.db.transaction(fn) : fn();
}

/**
 * Every id must name a record the session can read, or the request is a 404 listing the others:
 * an invisible record reads exactly like a missing one, whatever the write rules say about it.
 */
async function assertVisible(meta: ModelMeta, ids: readonly Id[]): Promise<void> {
  const unique = [...new Set(ids)];
  const seen = new Set<Id>();
  for (let i = 0; i < unique.length; i += 1000) {
    const chunk = unique.slice(i, i + 1000);
    const rows = await api(meta).search({ filter: [["id", "in", chunk]], fields: ["id"] });
    for (const r of rows) seen.add((r as { id: Id }).id);
  }
  const missing = unique.filter((id) => !seen.has(id));
  if (missing.length === 1 && ids.length === 1) throw notFound(`${meta.table} record ${missing[0]} does not exist`);
  if (missing.length > 0)
    throw notFound(`${missing.length} of the ${meta.table} records do not exist`, { ids: missing.slice(0, 100) });
}

/** The write routes: create, update, delete, bulk update and delete. */
export function writeRoutes(app: Hono<RestEnv>, cfg: CrudConfig): void {
  const p = cfg.prefix;

  app.post(`${p}/:model`, async (c) => {
    const { meta } = modelOf(cfg, c, "write");
    validate(noQuery, queryOf(c), "query");
    const data = values(meta, await bodyOf(c), "create");
    const id = await asSession(cfg, c, () => api(meta).create(data));
    return c.json({ id }, 201);
  });

  app.patch(`${p}/:model/:id`, async (c) => {
    const { meta } = modelOf(cfg, c, "write");
    const id = idOf(c, meta);
    validate(noQuery, queryOf(c), "query");
    const data = values(meta, await bodyOf(c), "update");
    const record = await asSession(cfg, c, () =>
      atomic(cfg, async () => {
        await assertVisible(meta, [id]);
        await api(meta).updateMany([id], data);
        return api(meta).get(id);
      }),
    );
    return c.json({ data: serialize(meta, record) });
  });

  app.delete(`${p}/:model/:id`, async (c) => {
    const { meta } = modelOf(cfg, c, "write");
    const id = idOf(c, meta);
    validate(noQuery, queryOf(c), "query");
    await asSession(cfg, c, () =>
      atomic(cfg, async () => {
        await assertVisible(meta, [id]);
        await api(meta).deleteMany([id]);
      }),
    );
    return c.body(null, 204);
  });

  app.patch(`${p}/:model`, async (c) => bulk(cfg, c, "update"));
  app.delete(`${p}/:model`, async (c) => bulk(cfg, c, "delete"));
}

/** `PATCH <t>` `{ ids, values }` and `DELETE <t>` `{ ids }`: all or nothing, `{ count }` back. */
async function bulk(cfg: CrudConfig, c: Context, op: "update" | "delete") {
  const { meta } = modelOf(cfg, c, "write");
  validate(noQuery, queryOf(c), "query");
  const raw = await bodyOf(c);
  const body =
    op === "update"
      ? validate(z.strictObject({ ids: bulkIds(meta), values: z.unknown() }), raw, "bulk update body")
      : validate(z.strictObject({ ids: bulkIds(meta) }), raw, "bulk delete body");
  checkLimit(cfg, body.ids.length, "ids");
  // in the form records carry (a uuid lower-cased), so the visibility check compares like with like
  const ids = body.ids.map((id) => checkId(meta, id));
  const data = op === "update" ? values(meta, (body as unknown as { values: unknown }).values, "update") : undefined;
  const count = await asSession(cfg, c, () =>
    atomic(cfg, async () => {
      await assertVisible(meta, ids);
      return data ? api(meta).updateMany(ids, data) : api(meta).deleteMany(ids);
    }),
  );
  return c.json({ count });
}
