import { type ModelMeta, operators } from "@dotorm/core";
import { z } from "zod";

/** A field name or alias: an identifier, as every model field is. */
export const ident = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, "must be a field name (letters, digits, _)");

/** Record ids: positive safe integers. */
export const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a UUID");

/**
 * The ids of `meta` in a body: positive integers for the database's identity, else the declared
 * key's type (core checks the value again, naming the field).
 *
 * @example
 * keyOf(Token.meta).parse("0192f5a8-3b1c-7a01-9f3e-6c2d8e4b1a77")
 */
export function keyOf(meta: ModelMeta): z.ZodType<number | string> {
  if (meta.identity) return id;
  const max = (meta.id.def.options as { maxLength?: number }).maxLength ?? 255;
  if (meta.id.kind === "uuid") return uuid;
  if (meta.id.kind === "char")
    return z
      .string()
      .min(1)
      .refine((v) => v.length <= max || [...v].length <= max, `must be at most ${max} characters`);
  return z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
}

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A filter as JSON: lists of strings, numbers, booleans and nulls, never objects; core's parseFilter checks the grammar. */
type FilterJson = string | number | boolean | null | FilterJson[];
const filterValue: z.ZodType<FilterJson> = z.lazy(() =>
  z.union([z.string().max(65_536), z.number(), z.boolean(), z.null(), z.array(filterValue).max(10_000)]),
);
export const filterSchema = z.array(filterValue).max(1_000);

/** `order`: "name desc, id". */
export const orderSchema = z.string().max(1_024);
export const sortSchema = z.enum(["asc", "desc"]);

/** What `nested` may hold: `true`, a list of field names and deeper maps, or read options. */
export type NestedSpec = true | (string | NestedMap)[] | NestedOptions;
export type NestedMap = { [relation: string]: NestedSpec };
export interface NestedOptions {
  fields?: string[];
  nested?: NestedMap;
  filter?: FilterJson[];
  order?: string;
  sort?: "asc" | "desc";
  limit?: number;
  offset?: number;
}
export const nestedMap: z.ZodType<NestedMap> = z.lazy(() => z.record(ident, nestedSpec));
const nestedOptions: z.ZodType<NestedOptions> = z.lazy(() =>
  z.strictObject({
    fields: z.array(ident).max(500).optional(),
    nested: nestedMap.optional(),
    filter: filterSchema.optional(),
    order: orderSchema.optional(),
    sort: sortSchema.optional(),
    limit: count.optional(),
    offset: count.optional(),
  }),
);
const nestedSpec: z.ZodType<NestedSpec> = z.lazy(() =>
  z.union([z.literal(true), z.array(z.union([ident, nestedMap])).max(500), nestedOptions]),
);

/** Body of `POST <t>/search`. */
export const searchBody = z.strictObject({
  filter: filterSchema.optional(),
  fields: z.array(ident).max(500).optional(),
  nested: nestedMap.optional(),
  order: orderSchema.optional(),
  sort: sortSchema.optional(),
  limit: count.optional(),
  offset: count.optional(),
});
export type SearchBody = z.infer<typeof searchBody>;

const queryCount = z
  .string()
  .regex(/^\d{1,15}$/, "must be a non-negative integer")
  .transform(Number);

/** Query string of `GET <t>` (list or keyset page), of relation pages and of `GET <t>/<id>`. */
export const listQuery = z.strictObject({
  fields: z.string().max(8_192).optional(),
  filter: z.string().max(65_536).optional(),
  nested: z.string().max(65_536).optional(),
  order: orderSchema.optional(),
  sort: sortSchema.optional(),
  limit: queryCount.optional(),
  offset: queryCount.optional(),
  after: z
    .string()
    .max(4_096)
    .regex(/^[A-Za-z0-9_-]+$/, "must be a cursor returned by the previous page")
    .optional(),
  size: queryCount.optional(),
});
export type ListQuery = z.infer<typeof listQuery>;

/** Routes that take no query parameters. */
export const noQuery = z.strictObject({});

export const getQuery = z.strictObject({ fields: listQuery.shape.fields, nested: listQuery.shape.nested });

export const nameSearchQuery = z.strictObject({ q: z.string().max(1_024).optional(), limit: queryCount.optional() });

/** The `ids` of a bulk PATCH `{ ids, values }` and bulk DELETE `{ ids }` on `meta`. */
export const bulkIds = (meta: ModelMeta) => z.array(keyOf(meta)).min(1);

const aggregateFn = z.enum(["count", "sum", "avg", "min", "max", "count_distinct"]);
const havingOp = z.enum(["=", "!=", ">", ">=", "<", "<="]);

/** Body of `POST <t>/aggregate`. */
export const aggregateBody = z.strictObject({
  filter: filterSchema.optional(),
  groupBy: z.array(ident).max(16).optional(),
  aggregate: z
    .record(ident, z.tuple([ident, aggregateFn]))
    .refine((a) => Object.keys(a).length > 0 && Object.keys(a).length <= 64, "needs 1 to 64 aggregates"),
  having: z
    .array(z.tuple([ident, havingOp, z.union([z.string().max(1_024), z.number(), z.boolean(), z.null()])]))
    .max(64)
    .optional(),
  order: z
    .array(z.string().regex(/^-?[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be "alias" or "-alias"'))
    .max(64)
    .optional(),
  limit: count.optional(),
  offset: count.optional(),
});
export type AggregateBody = z.infer<typeof aggregateBody>;

/** The filter operators, for the OpenAPI description. */
export const operatorList: readonly string[] = [...operators];
