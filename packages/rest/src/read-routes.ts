import { type Id, type ModelMeta, QueryError, parseFilter } from "@dotorm/core";
import type { Context, Hono } from "hono";
import type { CrudConfig } from "./crud-options.js";
import { fieldsMetadata } from "./fields-metadata.js";
import { frozenCheck, listReadOf } from "./list-reads.js";
import { type CheckedRead, checkLimit, checkRead, visibleField } from "./read-guard.js";
import { type RestEnv, api, asSession, bodyOf, idOf, jsonParam, modelOf, queryOf, textId } from "./request-context.js";
import {
  type ListQuery,
  type NestedOptions,
  filterSchema,
  getQuery,
  listQuery,
  nameSearchQuery,
  nestedMap,
  noQuery,
  searchBody,
} from "./request-schemas.js";
import { badRequest, notFound } from "./rest-error.js";
import { serialize } from "./serialize.js";
import { validate } from "./validate.js";
const relationQuery = listQuery.omit({ after: true, size: true });

/** The list query string as a read request (`fields=a,b`, `filter` and `nested` as JSON). */
function readFromQuery(q: Pick<ListQuery, "fields" | "filter" | "nested" | "order" | "sort" | "limit" | "offset">) {
  return {
    fields:
      q.fields === undefined
        ? undefined
        : q.fields
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== ""),
    filter: q.filter === undefined ? undefined : validate(filterSchema, jsonParam(q.filter, "filter"), "filter"),
    nested: q.nested === undefined ? undefined : validate(nestedMap, jsonParam(q.nested, "nested"), "nested"),
    order: q.order,
    sort: q.sort,
    limit: q.limit,
    offset: q.offset,
  };
}

/**
 * A page with its total: `{ data, total }`, limit defaulting to `maxLimit`, read by core's
 * `searchAndCount`: one statement where the database allows (the total a subquery of the page's
 * SELECT); elsewhere a page that ends before its limit tells the total itself (offset + rows), so
 * only a full page, or an empty one past the first, costs a count.
 */
async function page(cfg: CrudConfig, meta: ModelMeta, req: NestedOptions, extra?: unknown[], known?: CheckedRead) {
  const { where, ...checked } = known ?? checkRead(cfg, meta, req);
  // parsed once for the rows and the total (the caller's part was checked, private fields refused, above)
  const filter = extra
    ? parseFilter(meta, [...extra, ...(checked.filter && checked.filter.length > 0 ? [checked.filter] : [])])
    : where;
  const m = api(meta);
  const limit = checked.limit ?? cfg.maxLimit;
  const { data, total } = await m.searchAndCount({ ...checked, filter, limit });
  return { data: data.map((r) => serialize(meta, r)), total };
}

/** `order` and `sort` as query-set terms (`-name`). */
function orderTerms(order: string | undefined, sort: "asc" | "desc" | undefined): string[] {
  if (order === undefined || order.trim() === "") return sort === "desc" ? ["-id"] : [];
  return order.split(",").map((term) => {
    const [name, dir] = term.trim().split(/\s+/) as [string, string | undefined];
    return (dir ?? sort ?? "asc").toLowerCase() === "desc" ? `-${name}` : name;
  });
}

/** A keyset cursor must decode to `{ k: [...], v: [...] }` before core sees it. */
function checkCursor(after: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(after, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const ok =
    typeof parsed === "object" &&
    parsed !== null &&
    Array.isArray((parsed as { k?: unknown }).k) &&
    Array.isArray((parsed as { v?: unknown }).v);
  const scalars =
    ok && (parsed as { v: unknown[] }).v.every((v) => v === null || ["string", "number", "boolean"].includes(typeof v));
  if (!scalars) throw badRequest("after must be the cursor of the previous page, passed unchanged", "after");
  return after;
}

/** The read routes: fields, list / keyset pages, search, get, relation pages, name_search. */
export function readRoutes(app: Hono<RestEnv>, cfg: CrudConfig): void {
  const p = cfg.prefix;

  app.get(`${p}/:model/fields`, (c) => {
    const { meta } = modelOf(cfg, c, "read");
    validate(noQuery, queryOf(c), "query");
    return c.json({
      data: fieldsMetadata(meta, (t) => {
        const target = cfg.models.get(t);
        return target?.read ? target.display?.name : undefined;
      }),
    });
  });

  app.get(`${p}/:model/name_search`, async (c) => {
    const { meta, display } = modelOf(cfg, c, "read");
    const q = validate(nameSearchQuery, queryOf(c), "query");
    const limit = checkLimit(cfg, q.limit) ?? Math.min(cfg.maxLimit, 20);
    const text = q.q?.trim() ?? "";
    let filter: unknown[] = [];
    if (display && text !== "") filter = [[display.name, "ilike", text]];
    else if (!display && text !== "") filter = [["id", "in", textId(meta, text)]];
    const rows = await asSession(cfg, c, () =>
      api(meta).search({
        filter,
        fields: display ? [display.name] : ["id"],
        order: display ? `${display.name}, id` : "id",
        limit,
      }),
    );
    const label = (r: Record<string, unknown>) => (display ? String(r[display.name] ?? "") : `${meta.label} #${r.id}`);
    return c.json({ data: rows.map((r) => ({ id: (r as { id: Id }).id, name: label(r as Record<string, unknown>) })) });
  });

  app.post(`${p}/:model/search`, async (c) => {
    const { meta } = modelOf(cfg, c, "read");
    const body = validate(searchBody, await bodyOf(c), "search body");
    return c.json(await asSession(cfg, c, () => page(cfg, meta, body)));
  });

  app.get(`${p}/:model`, async (c) => {
    const { meta } = modelOf(cfg, c, "read");
    const list = listReadOf(cfg, meta, c, readFromQuery);
    const { q, req } = list;
    if (q.after === undefined && q.size === undefined) {
      // checked inside the session (a request without one learns nothing of the fields), once per query string
      return c.json(
        await asSession(cfg, c, () =>
          page(cfg, meta, req, undefined, (list.checked ??= frozenCheck(checkRead(cfg, meta, req)))),
        ),
      );
    }
    if (q.limit !== undefined || q.offset !== undefined)
      throw badRequest(
        "keyset pages (after, size) take no limit or offset",
        q.limit !== undefined ? "limit" : "offset",
      );
    const checked = checkRead(cfg, meta, req);
    const size = checkLimit(cfg, q.size, "size") ?? Math.min(cfg.maxLimit, 100);
    if (size < 1) throw badRequest("size must be at least 1", "size");
    const after = q.after === undefined ? undefined : checkCursor(q.after);
    const result = await asSession(cfg, c, () => {
      let qs = api(meta).query();
      if (checked.filter) qs = qs.where(checked.filter);
      if (checked.fields) qs = qs.only(...checked.fields);
      if (checked.nested) qs = qs.nested(checked.nested);
      const terms = orderTerms(checked.order, checked.sort);
      if (terms.length > 0) qs = qs.orderBy(...terms);
      return qs.paginate({ size, after });
    });
    return c.json({ data: result.data.map((r) => serialize(meta, r)), cursor: result.cursor });
  });

  app.get(`${p}/:model/:id`, async (c) => {
    const { meta } = modelOf(cfg, c, "read");
    const id = idOf(c, meta);
    const q = validate(getQuery, queryOf(c), "query");
    const req = checkRead(cfg, meta, readFromQuery(q));
    const record = await asSession(cfg, c, () => api(meta).get(id, { fields: req.fields, nested: req.nested }));
    return c.json({ data: serialize(meta, record) });
  });

  app.get(`${p}/:model/:id/:field`, async (c) => relationPage(cfg, c));
}

/** `GET <t>/<id>/<x2many field>`: a page of the related records the session may read. */
async function relationPage(cfg: CrudConfig, c: Context) {
  const { meta } = modelOf(cfg, c, "read");
  const id = idOf(c, meta);
  const name = c.req.param("field") ?? "";
  const field = visibleField(meta, name);
  if (field.kind !== "one2many" && field.kind !== "many2many") {
    throw new QueryError(
      `"${name}" on ${meta.table} is not a one2many or many2many field; read it with GET ${cfg.prefix}/${meta.table}/${id}`,
      name,
    );
  }
  const target = field.target();
  const q = validate(relationQuery, queryOf(c), "query");
  const req = readFromQuery(q);
  return c.json(
    await asSession(cfg, c, async () => {
      const parent = (await api(meta).getOrNull(id, { fields: [name] })) as Record<string, unknown> | null;
      if (!parent) throw notFound(`${meta.table} record ${id} does not exist`);
      const inverse = field.kind === "one2many" ? field.inverse?.() : undefined;
      const ids = (parent[name] as Id[] | undefined) ?? [];
      const scope = inverse ? [[inverse.name, "=", id]] : [["id", "in", ids]];
      return page(cfg, target, req, scope);
    }),
  );
}
