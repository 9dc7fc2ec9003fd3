import type { FieldMeta, ModelMeta } from "@dotorm/core";
import { z } from "zod";
import { isComputed, isPrivate, isReadonly } from "./crud-options.js";
import { keyOf } from "./request-schemas.js";

/** Which write a values schema is for: `create` (required fields required) or `update`. */
export type WriteMode = "create" | "update";

const intRanges: Record<string, readonly [number, number]> = {
  smallInteger: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  bigInteger: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** The decimal text a decimal field takes (its precision and scale are checked by core, naming the field). */
export const decimalPattern = "^[+-]?(\\d+\\.?\\d*|\\.\\d+)$";
/** Base64 with its padding, checked in linear time (a repeated group overflows the regex stack on megabytes). */
const base64Alphabet = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (s: string) => s.length % 4 === 0 && base64Alphabet.test(s);

/** Whether a request may write the field at all (private, computed and inverse one2one fields never). */
export function isWritable(field: FieldMeta, mode: WriteMode): boolean {
  // a declared key (uuid, char) is given on create, unless its default makes it
  if (field === field.model.id) return mode === "create" && !field.model.identity && !isPrivate(field);
  if (isPrivate(field) || isComputed(field) || field.kind === "one2one") return false;
  return mode === "create" || !isReadonly(field);
}

function valueSchema(field: FieldMeta): z.ZodType {
  const o = field.def.options as Record<string, unknown>;
  if (field === field.model.id) return keyOf(field.model);
  switch (field.kind) {
    case "uuid":
      return z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a UUID");
    case "integer":
    case "smallInteger":
    case "bigInteger": {
      const [lo, hi] = intRanges[field.kind] as readonly [number, number];
      return z.number().int().min(lo).max(hi);
    }
    case "float":
      return z.number();
    case "decimal":
      return z.union([
        z.string().max(80).regex(new RegExp(decimalPattern), 'must be a decimal number such as "12.50"'),
        z.number(),
      ]);
    case "char": {
      const max = o.maxLength as number | undefined;
      const s = z.string();
      // counted in characters (code points), as the database counts them
      return max === undefined
        ? s
        : s.refine((v) => v.length <= max || [...v].length <= max, `must be at most ${max} characters`);
    }
    case "text":
      return z.string();
    case "boolean":
      return z.boolean();
    case "datetime":
      return z.string().max(64);
    case "date":
      return z.iso.date();
    case "time":
      return z.string().regex(/^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/, 'must be a time "HH:MM[:SS[.ffffff]]"');
    case "json":
      return z.json();
    case "selection":
      return z.enum((o.options as readonly (readonly [string, string])[]).map((x) => x[0]) as [string, ...string[]]);
    case "binary":
      return z
        .string()
        .refine(isBase64, "must be base64")
        .transform((s) => Buffer.from(s, "base64"));
    case "many2one":
      return keyOf(field.target());
    default:
      return z.never();
  }
}

const cache = new WeakMap<ModelMeta, Map<string, z.ZodType>>();

/**
 * The schema of the values a request may write to `model`, generated from its fields: types,
 * lengths, selection options, required fields on create, relation commands, and no other key
 * (private, computed and unknown fields are refused as unknown; readonly ones on update).
 * `inverse` is left out of required fields: a one2many's `create` command sets it.
 */
export function valuesSchema(model: ModelMeta, mode: WriteMode, inverse?: string): z.ZodType<Record<string, unknown>> {
  const key = `${mode}:${inverse ?? ""}`;
  let byKey = cache.get(model);
  if (!byKey) cache.set(model, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit as z.ZodType<Record<string, unknown>>;
  const shape: Record<string, z.ZodType> = {};
  for (const field of model.fields.values()) {
    if (!isWritable(field, mode)) continue;
    let s: z.ZodType;
    if (field.kind === "one2many" || field.kind === "many2many") s = relationSchema(field);
    else s = field.required ? valueSchema(field) : valueSchema(field).nullable();
    const needed =
      mode === "create" && field.required && field.def.options.default === undefined && field.name !== inverse;
    shape[field.name] = needed ? s : s.optional();
  }
  const schema = z.strictObject(shape) as unknown as z.ZodType<Record<string, unknown>>;
  byKey.set(key, schema);
  return schema;
}

/** A one2many / many2many value: ids (the whole set) or commands. */
function relationSchema(field: FieldMeta): z.ZodType {
  const target = field.target();
  const inverse = field.kind === "one2many" ? field.inverse?.().name : undefined;
  const ids = z.array(keyOf(target)).max(10_000);
  return z.union([
    ids,
    z.strictObject({
      create: z.lazy(() => z.array(valuesSchema(target, "create", inverse)).max(1_000)).optional(),
      update: z
        .lazy(() =>
          z.record(
            target.identity ? z.string().regex(/^[1-9]\d{0,15}$/, "must be a record id") : z.string().max(255),
            valuesSchema(target, "update"),
          ),
        )
        .optional(),
      delete: ids.optional(),
      link: ids.optional(),
      unlink: ids.optional(),
      set: ids.optional(),
    }),
  ]);
}
