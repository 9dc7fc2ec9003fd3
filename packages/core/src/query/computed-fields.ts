import type { FieldKind } from "../model/field.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import type { AggregateFn, Computed, DatePart, PathHop } from "./ast.js";

/** Date parts a date or datetime field exposes to filters (`created_at__year`, `["day.month", "=", 5]`). */
export const dateParts: ReadonlySet<string> = new Set<DatePart>(["year", "month", "day", "date"]);

const registry = new WeakMap<FieldMeta, Computed>();
const partFields = new WeakMap<FieldMeta, Map<string, FieldMeta>>();

/** What a computed stand-in field computes (undefined for a real column). */
export function computedOf(field: FieldMeta): Computed | undefined {
  return registry.get(field);
}

function derive(
  base: FieldMeta,
  patch: { name: string; kind: FieldKind; model: ModelMeta },
  computed: Computed,
): FieldMeta {
  const field: FieldMeta = Object.freeze({ ...base, ...patch, required: false, stored: true });
  registry.set(field, computed);
  return field;
}

/**
 * The stand-in field of a date part: an integer (the `date` of a datetime: a date) computed from
 * `source` in UTC. It keeps `source`'s name, so access checks see the real field.
 */
export function datePartField(source: FieldMeta, part: DatePart): FieldMeta {
  let parts = partFields.get(source);
  if (!parts) partFields.set(source, (parts = new Map()));
  let field = parts.get(part);
  if (!field) {
    field = derive(
      source,
      { name: source.name, kind: part === "date" ? "date" : "integer", model: source.model },
      { kind: "datePart", part, source },
    );
    parts.set(part, field);
  }
  return field;
}

/** The stand-in field of a many2one path (`author_id__name`) read from `model`'s rows. */
export function pathField(model: ModelMeta, name: string, hops: readonly PathHop[], leaf: FieldMeta): FieldMeta {
  return derive(leaf, { name, kind: leaf.kind, model }, { kind: "path", hops, leaf });
}

/** The stand-in field of a per-row aggregate of a relation (`annotate`). */
export function aggregateField(
  model: ModelMeta,
  alias: string,
  hop: PathHop,
  fn: AggregateFn,
  field: FieldMeta,
): FieldMeta {
  const kind: FieldKind = fn === "count" || fn === "count_distinct" ? "integer" : fn === "avg" ? "float" : field.kind;
  return derive(field, { name: alias, kind, model }, { kind: "relAggregate", hop, fn, field });
}
