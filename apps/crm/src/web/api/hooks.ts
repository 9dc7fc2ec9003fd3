import { queryOptions, useQuery } from "@tanstack/react-query";
import { type FieldMeta, api } from "./client";

/** The query of a model's field metadata (`GET /auto/<t>/fields`), cached for the session. */
export const fieldsQuery = (model: string) =>
  queryOptions({
    queryKey: ["fields", model],
    queryFn: async () => (await api<{ data: FieldMeta[] }>("GET", `/auto/${model}/fields`)).data,
    staleTime: Number.POSITIVE_INFINITY,
  });

/** The field metadata of a model, cached for the session. */
export function useFields(model: string) {
  return useQuery(fieldsQuery(model));
}

/**
 * What to load of each many2one or many2many so it can be shown by name: `{ partner_id: ["name"] }`
 * (the related model's display field, which the field metadata names), or just the id when the
 * related model has none. Undefined until the fields are known.
 */
export function displayNested(
  fields: readonly FieldMeta[] | undefined,
  names: readonly string[],
): Record<string, string[]> | undefined {
  if (!fields) return undefined;
  const rel = fields.filter(
    (f) => names.includes(f.name) && (f.relation?.kind === "many2one" || f.relation?.kind === "many2many"),
  );
  return Object.fromEntries(rel.map((f) => [f.name, [f.relation?.display ?? "id"]]));
}
