import { useQueries, useQuery } from "@tanstack/react-query";
import { type FieldMeta, api } from "./client";

/** The field metadata of a model (`GET /auto/<t>/fields`), cached for the session. */
export function useFields(model: string) {
  return useQuery({
    queryKey: ["fields", model],
    queryFn: async () => (await api<{ data: FieldMeta[] }>("GET", `/auto/${model}/fields`)).data,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/**
 * What to load of each many2one so it can be shown by name: `{ partner_id: ["name"] }`, or just the
 * id when the related model has no `name`. Undefined until the related models' fields are known.
 */
export function useDisplayNested(fields: readonly FieldMeta[] | undefined, names: readonly string[]): Record<string, string[]> | undefined {
  const rel = (fields ?? []).filter((f) => names.includes(f.name) && (f.relation?.kind === "many2one" || f.relation?.kind === "many2many"));
  const models = [...new Set(rel.map((f) => f.relation?.model as string))];
  const related = useQueries({
    queries: models.map((m) => ({
      queryKey: ["fields", m],
      queryFn: async () => (await api<{ data: FieldMeta[] }>("GET", `/auto/${m}/fields`)).data,
      staleTime: Number.POSITIVE_INFINITY,
    })),
  });
  if (!fields || related.some((q) => !q.data)) return undefined;
  const hasName = new Map(models.map((m, i) => [m, related[i]?.data?.some((f) => f.name === "name") ?? false]));
  return Object.fromEntries(rel.map((f) => [f.name, hasName.get(f.relation?.model as string) ? ["name"] : ["id"]]));
}
