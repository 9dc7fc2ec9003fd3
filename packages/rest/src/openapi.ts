import type { ModelMeta } from "@dotorm/core";
import { type CrudConfig, type Exposed, isPrivate } from "./crud-options.js";
import {
  type JsonSchema,
  errorSchema,
  filterSchema,
  keySchema,
  nestedSchema,
  pascal,
  readSchema,
  ref,
  schemaName,
  writeSchema,
} from "./openapi-schemas.js";

const errors: Record<string, [number, string]> = {
  BadRequest: [400, "validation error, bad filter, unknown field or malformed JSON (details name the field)"],
  Unauthorized: [401, "no valid session"],
  Forbidden: [403, "the session may not do this (AccessDenied)"],
  NotFound: [404, "unknown model, or a record that does not exist or is not visible to the session"],
  MethodNotAllowed: [405, "wrong verb for this path"],
  Conflict: [409, "a unique, foreign key or not-null constraint refused the change"],
  PayloadTooLarge: [413, "the body is larger than the limit (default 1 MB)"],
  UnsupportedMediaType: [415, "the body is not application/json"],
  Timeout: [504, "the request took longer than the limit"],
  ServerError: [500, "a server fault; details carry the request id"],
};
const common = ["BadRequest", "Unauthorized", "Forbidden", "NotFound", "MethodNotAllowed", "Timeout", "ServerError"];
const withBody = [...common, "PayloadTooLarge", "UnsupportedMediaType"];

function responses(ok: Record<string, unknown>, errorNames: readonly string[]): Record<string, unknown> {
  return { ...ok, ...Object.fromEntries(errorNames.map((n) => [String(errors[n]?.[0]), ref(n, "responses")])) };
}
const json = (schema: unknown, description: string) => ({ description, content: { "application/json": { schema } } });
const body = (schema: unknown) => ({ required: true, content: { "application/json": { schema } } });
const param = (name: string) => ref(name, "parameters");

/** Models the exposed ones reach through relations: their schemas are referenced too. */
function reachable(models: Iterable<Exposed>): ModelMeta[] {
  const seen = new Set<ModelMeta>();
  const visit = (m: ModelMeta) => {
    if (seen.has(m)) return;
    seen.add(m);
    for (const f of m.fields.values())
      if (!isPrivate(f) && ["many2one", "one2many", "many2many", "one2one"].includes(f.kind)) visit(f.target());
  };
  for (const e of models) visit(e.meta);
  return [...seen];
}

function components(cfg: CrudConfig): Record<string, unknown> {
  const schemas: Record<string, JsonSchema> = { Error: errorSchema, Filter: filterSchema, Nested: nestedSchema };
  for (const meta of reachable(cfg.models.values())) {
    schemas[schemaName(meta)] = readSchema(meta);
    schemas[schemaName(meta, "Create")] = writeSchema(meta, "create");
    schemas[schemaName(meta, "Update")] = writeSchema(meta, "update");
    for (const f of meta.fields.values()) {
      const inv = f.kind === "one2many" && !isPrivate(f) ? f.inverse?.().name : undefined;
      if (inv) schemas[schemaName(f.target(), `CreateFrom${pascal(inv)}`)] = writeSchema(f.target(), "create", inv);
    }
  }
  const str = (description: string, extra: JsonSchema = {}) => ({ type: "string", description, ...extra });
  const int = (description: string, max?: number) => ({
    type: "integer",
    minimum: 0,
    ...(max ? { maximum: max } : {}),
    description,
  });
  const q = (name: string, schema: JsonSchema) => ({ name, in: "query", required: false, schema });
  const parameters = {
    fields: q(
      "fields",
      str("comma-separated field names to return (id is always returned)", { examples: ["name,is_archived"] }),
    ),
    filter: q("filter", str("a filter list as JSON (see the Filter schema)")),
    nested: q("nested", str("relations to load as records, as JSON (see the Nested schema)")),
    order: q("order", str('fields to sort by: "name desc, id"')),
    sort: q("sort", { type: "string", enum: ["asc", "desc"], description: "direction for order terms that give none" }),
    limit: q("limit", int(`page size (at most ${cfg.maxLimit}; default ${cfg.maxLimit})`, cfg.maxLimit)),
    offset: q("offset", int("rows to skip")),
    after: q("after", str("keyset paging: the cursor of the previous page", { pattern: "^[A-Za-z0-9_-]+$" })),
    size: q("size", int(`keyset paging: page size (at most ${cfg.maxLimit})`, cfg.maxLimit)),
    id: {
      name: "id",
      in: "path",
      required: true,
      schema: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    },
  };
  const responseComponents = Object.fromEntries(
    Object.entries(errors).map(([name, [, description]]) => [name, json(ref("Error"), description)]),
  );
  return { schemas, parameters, responses: responseComponents };
}

const searchBody = (): JsonSchema => ({
  type: "object",
  additionalProperties: false,
  properties: {
    filter: ref("Filter"),
    fields: { type: "array", items: { type: "string" } },
    nested: ref("Nested"),
    order: { type: "string" },
    sort: { type: "string", enum: ["asc", "desc"] },
    limit: { type: "integer", minimum: 0 },
    offset: { type: "integer", minimum: 0 },
  },
});

function modelPaths(cfg: CrudConfig, { meta, read, write }: Exposed): Record<string, Record<string, unknown>> {
  const t = meta.table;
  const name = schemaName(meta);
  const base = `${cfg.prefix}/${t}`;
  const page = {
    type: "object",
    required: ["data", "total"],
    properties: { data: { type: "array", items: ref(name) }, total: { type: "integer" } },
  };
  const keyset = {
    type: "object",
    required: ["data", "cursor"],
    properties: { data: { type: "array", items: ref(name) }, cursor: { type: ["string", "null"] } },
  };
  // identity ids keep their schemas as they were; a declared key (uuid, char) states its own type
  const key = (identity: JsonSchema) => (meta.identity ? identity : keySchema(meta));
  const ids = { type: "array", items: key({ type: "integer", minimum: 1 }), minItems: 1, maxItems: cfg.maxLimit };
  const idParam = meta.identity ? param("id") : { name: "id", in: "path", required: true, schema: keySchema(meta) };
  const countBody = json(
    { type: "object", required: ["count"], properties: { count: { type: "integer" } } },
    "how many records changed",
  );
  const op = (id: string, summary: string, rest: Record<string, unknown>) => ({
    operationId: `${id}${name}`,
    tags: [t],
    summary,
    ...rest,
  });
  const paths: Record<string, Record<string, unknown>> = {};
  const at = (path: string) => (paths[path] ??= {});
  if (read) {
    at(`${base}/fields`).get = op("fields", `field metadata of ${t}, for building forms`, {
      responses: responses(
        {
          200: json(
            { type: "object", properties: { data: { type: "array", items: { type: "object" } } } },
            "the fields",
          ),
        },
        common,
      ),
    });
    at(base).get = op("list", `list ${t}: { data, total }, or keyset pages { data, cursor } with size/after`, {
      parameters: ["fields", "filter", "nested", "order", "sort", "limit", "offset", "after", "size"].map(param),
      responses: responses({ 200: json({ oneOf: [page, keyset] }, "a page") }, common),
    });
    at(`${base}/search`).post = op("search", `search ${t} with a JSON body`, {
      requestBody: body(searchBody()),
      responses: responses({ 200: json(page, "a page") }, withBody),
    });
    at(`${base}/aggregate`).post = op("aggregate", `aggregate ${t}: one row per group`, {
      requestBody: body({
        type: "object",
        additionalProperties: false,
        required: ["aggregate"],
        properties: {
          filter: ref("Filter"),
          groupBy: { type: "array", items: { type: "string" } },
          aggregate: {
            type: "object",
            description: 'alias -> [field, "count" | "sum" | "avg" | "min" | "max" | "count_distinct"]',
            additionalProperties: {
              type: "array",
              prefixItems: [{ type: "string" }, { enum: ["count", "sum", "avg", "min", "max", "count_distinct"] }],
              minItems: 2,
              maxItems: 2,
            },
          },
          having: {
            type: "array",
            items: { type: "array", minItems: 3, maxItems: 3 },
            description: "[alias, operator, value] conditions, ANDed",
          },
          order: {
            type: "array",
            items: { type: "string" },
            description: '"alias" or "-alias" (descending), or a group key',
          },
          limit: { type: "integer", minimum: 0, maximum: cfg.maxLimit },
          offset: { type: "integer", minimum: 0 },
        },
      }),
      responses: responses(
        {
          200: json(
            { type: "object", properties: { data: { type: "array", items: { type: "object" } } } },
            "the groups",
          ),
        },
        withBody,
      ),
    });
    at(`${base}/name_search`).get = op("nameSearch", `ids and display names of ${t}, for relation pickers`, {
      parameters: [
        { name: "q", in: "query", required: false, schema: { type: "string", maxLength: 1024 } },
        { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 0, maximum: cfg.maxLimit } },
      ],
      responses: responses(
        {
          200: json(
            {
              type: "object",
              properties: {
                data: {
                  type: "array",
                  items: { type: "object", properties: { id: key({ type: "integer" }), name: { type: "string" } } },
                },
              },
            },
            "matches",
          ),
        },
        common,
      ),
    });
    at(`${base}/{id}`).get = op("get", `one ${t} record`, {
      parameters: [idParam, param("fields"), param("nested")],
      responses: responses({ 200: json({ type: "object", properties: { data: ref(name) } }, "the record") }, common),
    });
    for (const f of meta.fields.values()) {
      if ((f.kind !== "one2many" && f.kind !== "many2many") || isPrivate(f)) continue;
      const target = schemaName(f.target());
      at(`${base}/{id}/${f.name}`).get = op(
        `${f.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())}Of`,
        `a page of ${t}.${f.name} (${f.target().table} records)`,
        {
          parameters: [idParam, "fields", "filter", "nested", "order", "sort", "limit", "offset"].map((p) =>
            typeof p === "string" ? param(p) : p,
          ),
          responses: responses(
            {
              200: json(
                { ...page, properties: { data: { type: "array", items: ref(target) }, total: { type: "integer" } } },
                "a page",
              ),
            },
            common,
          ),
        },
      );
    }
  }
  if (write) {
    at(base).post = op("create", `create a ${t} record (relation commands in one transaction)`, {
      requestBody: body(ref(`${name}Create`)),
      responses: responses(
        { 201: json({ type: "object", required: ["id"], properties: { id: key({ type: "integer" }) } }, "created") },
        [...withBody, "Conflict"],
      ),
    });
    at(base).patch = op("updateMany", `update several ${t} records: all or nothing`, {
      requestBody: body({
        type: "object",
        additionalProperties: false,
        required: ["ids", "values"],
        properties: { ids, values: ref(`${name}Update`) },
      }),
      responses: responses({ 200: countBody }, [...withBody, "Conflict"]),
    });
    at(base).delete = op("deleteMany", `delete several ${t} records: all or nothing`, {
      requestBody: body({ type: "object", additionalProperties: false, required: ["ids"], properties: { ids } }),
      responses: responses({ 200: countBody }, [...withBody, "Conflict"]),
    });
    at(`${base}/{id}`).patch = op("update", `update a ${t} record`, {
      parameters: [idParam],
      requestBody: body(ref(`${name}Update`)),
      responses: responses({ 200: json({ type: "object", properties: { data: ref(name) } }, "the updated record") }, [
        ...withBody,
        "Conflict",
      ]),
    });
    at(`${base}/{id}`).delete = op("delete", `delete a ${t} record`, {
      parameters: [idParam],
      responses: responses({ 204: { description: "deleted" } }, [...common, "Conflict"]),
    });
  }
  return paths;
}

/**
 * The OpenAPI 3.1 document of the API, generated from the exposed models: a read, create and
 * update schema per model (required fields, maxLength, selection enums, date formats, decimals as
 * patterned strings), every route with its parameters, bodies, responses and the error schema.
 * Private fields appear nowhere.
 */
export function openApiDocument(cfg: CrudConfig): Record<string, unknown> {
  const paths: Record<string, unknown> = {
    [`${cfg.prefix}/openapi.json`]: {
      get: {
        operationId: "openapi",
        summary: "this document",
        responses: { 200: json({ type: "object" }, "OpenAPI 3.1") },
      },
    },
  };
  if (cfg.docs)
    paths[`${cfg.prefix}/docs`] = {
      get: {
        operationId: "docs",
        summary: "interactive docs page",
        responses: { 200: { description: "HTML", content: { "text/html": { schema: { type: "string" } } } } },
      },
    };
  for (const exposed of cfg.models.values()) Object.assign(paths, modelPaths(cfg, exposed));
  return {
    openapi: "3.1.0",
    info: {
      title: cfg.info.title,
      version: cfg.info.version,
      ...(cfg.info.description ? { description: cfg.info.description } : {}),
    },
    tags: [...cfg.models.values()].map(({ meta }) => ({ name: meta.table, description: meta.label })),
    paths,
    components: components(cfg),
  };
}
