import type { FieldMeta, ModelMeta } from "@dotorm/core";
import { isPrivate, isReadonly } from "./crud-options.js";
import { operatorList } from "./request-schemas.js";
import { decimalPattern, isWritable } from "./write-schemas.js";

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses) as plain data. */
export type JsonSchema = Record<string, unknown>;

const intRanges: Record<string, readonly [number, number]> = {
  smallInteger: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  bigInteger: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** `note_lines` -> `NoteLines`: a model's name in the document's components. */
export function schemaName(meta: ModelMeta, suffix = ""): string {
  return pascal(meta.table) + suffix;
}

/** `owner_id` -> `OwnerId`. */
export function pascal(name: string): string {
  return name.replace(/(^|_)([a-z0-9])/gi, (_, __, c: string) => c.toUpperCase());
}

export const ref = (name: string, kind = "schemas") => ({ $ref: `#/components/${kind}/${name}` });
const idSchema: JsonSchema = { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER };

/**
 * The schema of `meta`'s ids: a positive integer for the database's identity, else the declared
 * key's type (a uuid string, a char of its length, an integer in its range).
 *
 * @example
 * keySchema(Token.meta) // { type: "string", format: "uuid" }
 */
export function keySchema(meta: ModelMeta): JsonSchema {
  if (meta.identity) return idSchema;
  const o = meta.id.def.options as Record<string, unknown>;
  switch (meta.id.kind) {
    case "uuid":
      return { type: "string", format: "uuid" };
    case "char":
      return { type: "string", minLength: 1, maxLength: (o.maxLength as number | undefined) ?? 255 };
    default: {
      const [lo, hi] = intRanges[meta.id.kind] ?? (intRanges.bigInteger as readonly [number, number]);
      return { type: "integer", minimum: lo, maximum: hi };
    }
  }
}

function nullable(schema: JsonSchema, yes: boolean): JsonSchema {
  if (!yes) return schema;
  if (typeof schema.type === "string") return { ...schema, type: [schema.type, "null"] };
  return { oneOf: [schema, { type: "null" }] };
}

/** The schema of one field's value; `mode` read (as returned) or write (as accepted). */
function valueSchema(
  field: FieldMeta,
  mode: "read" | "write",
  inverseOf?: (f: FieldMeta) => string | undefined,
): JsonSchema {
  const o = field.def.options as Record<string, unknown>;
  if (field === field.model.id) return keySchema(field.model);
  switch (field.kind) {
    case "uuid":
      return { type: "string", format: "uuid" };
    case "integer":
    case "smallInteger":
    case "bigInteger": {
      const [lo, hi] = intRanges[field.kind] as readonly [number, number];
      return { type: "integer", minimum: lo, maximum: hi };
    }
    case "float":
      return { type: "number" };
    case "decimal": {
      const text = {
        type: "string",
        pattern: decimalPattern,
        description: `decimal(${o.precision ?? 18}, ${o.scale ?? 2}) as a string, exact`,
      };
      return mode === "read" ? text : { oneOf: [text, { type: "number" }] };
    }
    case "char":
      return typeof o.maxLength === "number" ? { type: "string", maxLength: o.maxLength } : { type: "string" };
    case "text":
      return { type: "string" };
    case "boolean":
      return { type: "boolean" };
    case "datetime":
      return { type: "string", format: "date-time" };
    case "date":
      return { type: "string", format: "date" };
    case "time":
      return { type: "string", pattern: "^\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?$" };
    case "json":
      return { description: "any JSON value" };
    case "selection":
      return { type: "string", enum: (o.options as [string, string][]).map(([v]) => v) };
    case "binary":
      return { type: "string", contentEncoding: "base64" };
    case "many2one":
    case "one2one":
      return mode === "read"
        ? {
            oneOf: [keySchema(field.target()), ref(schemaName(field.target()))],
            description: "the id, or the record when nested",
          }
        : keySchema(field.target());
    case "one2many":
    case "many2many": {
      const target = field.target();
      if (mode === "read")
        return {
          type: "array",
          items: { oneOf: [keySchema(target), ref(schemaName(target))] },
          description: "ids, or records when nested",
        };
      const ids = { type: "array", items: keySchema(target), maxItems: 10_000 };
      const inverse = inverseOf?.(field);
      return {
        oneOf: [
          { ...ids, description: "replaces the whole set" },
          {
            type: "object",
            additionalProperties: false,
            description: "relation commands, applied in one transaction with the record",
            properties: {
              create: {
                type: "array",
                items: ref(schemaName(target, inverse ? `CreateFrom${pascal(inverse)}` : "Create")),
                maxItems: 1_000,
              },
              update: {
                type: "object",
                ...(target.identity ? { propertyNames: { pattern: "^[1-9]\\d{0,15}$" } } : {}),
                additionalProperties: ref(schemaName(target, "Update")),
              },
              delete: ids,
              link: ids,
              unlink: ids,
              set: ids,
            },
          },
        ],
      };
    }
    default:
      return {};
  }
}

function describeField(field: FieldMeta, schema: JsonSchema): JsonSchema {
  const o = field.def.options as Record<string, unknown>;
  const out: JsonSchema = { ...schema };
  if (typeof o.label === "string") out.title = o.label;
  if (typeof o.help === "string") out.description = o.help;
  return out;
}

/** The schema of a record as the API returns it (private fields never listed). */
export function readSchema(meta: ModelMeta): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const field of meta.fields.values()) {
    if (isPrivate(field)) continue;
    const s = describeField(
      field,
      nullable(
        valueSchema(field, "read"),
        !field.required && field.name !== "id" && field.kind !== "one2many" && field.kind !== "many2many",
      ),
    );
    properties[field.name] = isReadonly(field) ? { ...s, readOnly: true } : s;
  }
  return {
    type: "object",
    description: `a ${meta.label} record (only the fields asked for, id always)`,
    properties,
    required: ["id"],
  };
}

/** The schema of the values a create (or update) accepts; `inverse` is set by the parent's one2many command. */
export function writeSchema(meta: ModelMeta, mode: "create" | "update", inverse?: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const inverseOf = (f: FieldMeta) => (f.kind === "one2many" ? f.inverse?.().name : undefined);
  for (const field of meta.fields.values()) {
    if (!isWritable(field, mode)) continue;
    const virtual = field.kind === "one2many" || field.kind === "many2many";
    properties[field.name] = describeField(
      field,
      virtual ? valueSchema(field, "write", inverseOf) : nullable(valueSchema(field, "write"), !field.required),
    );
    if (mode === "create" && field.required && field.def.options.default === undefined && field.name !== inverse)
      required.push(field.name);
  }
  return { type: "object", additionalProperties: false, properties, ...(required.length > 0 ? { required } : {}) };
}

/** The filter grammar, described for readers of the document. */
export const filterSchema: JsonSchema = {
  type: "array",
  maxItems: 1_000,
  description:
    'A filter list: conditions [field, operator, value], "and" / "or" between items (adjacent items are ANDed), ' +
    'nested lists as groups, ["not", item]. field may be a dotted path through relations ("owner_id.name"). ' +
    `Operators: ${operatorList.join(", ")}. Values are strings, numbers, booleans, null, or lists of them (in, between); ` +
    "objects are refused. Unknown fields and operators are a 400 naming them. Example: " +
    '[["is_archived", "=", false], "or", ["creator_id.name", "ilike", "ann"]]',
  items: { oneOf: [{ type: "string", enum: ["and", "or"] }, { type: "array" }] },
  examples: [[["name", "ilike", "gen"], "or", ["id", "in", [1, 2]]]],
};

/** What `nested` takes. */
export const nestedSchema: JsonSchema = {
  type: "object",
  description:
    "Relations to load as records: { relation: true | [field, ..., { deeper: [...] }] | { fields, nested, filter, order, sort, limit, offset } }. " +
    "Nesting depth is bounded (option maxNestedDepth, default 4).",
  additionalProperties: { oneOf: [{ const: true }, { type: "array" }, { type: "object" }] },
  examples: [{ owner_id: ["name"], lines: { fields: ["text"], order: "id desc", limit: 5 } }],
};

/** The error body. */
export const errorSchema: JsonSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: {
          type: "string",
          examples: ["VALIDATION_ERROR", "QUERY_ERROR", "NOT_FOUND", "ACCESS_DENIED", "INTEGRITY_ERROR"],
        },
        message: { type: "string" },
        details: {
          type: "object",
          description: "e.g. the field at fault, the ids not found, or the request id of a server fault",
        },
      },
    },
  },
};
