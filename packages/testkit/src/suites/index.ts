import type { ConformanceTarget } from "../target.js";
import { modelOptionSuites } from "./model-option-suites.js";
import { access } from "./access.js";
import { accessMatrix } from "./access-matrix.js";
import { bulkWrites } from "./bulk-writes.js";
import { callTimeouts } from "./call-timeouts.js";
import { crud } from "./crud.js";
import { ddlDefaults } from "./ddl-defaults.js";
import { errors } from "./errors.js";
import { faults } from "./faults.js";
import { fields } from "./fields.js";
import { filterProperties } from "./filter-properties.js";
import { readTemplates } from "./read-templates.js";
import { filterRelations } from "./filter-relations.js";
import { filters } from "./filters.js";
import { hostileInputs } from "./hostile-inputs.js";
import { injection } from "./injection.js";
import { insightCache } from "./insight-cache.js";
import { insightExplain } from "./insight-explain.js";
import { insightNPlusOne } from "./insight-n-plus-one.js";
import { insightStats } from "./insight-stats.js";
import { migrations } from "./migrations.js";
import { modelBinding } from "./model-binding.js";
import { modelConveniences } from "./model-conveniences.js";
import { migrationsRunner } from "./migrations-runner.js";
import { nested } from "./nested.js";
import { nonInterference } from "./non-interference.js";
import { ordering } from "./ordering.js";
import { primaryKeys } from "./primary-keys.js";
import { querysets } from "./querysets.js";
import { querysetReads } from "./queryset-reads.js";
import { querysetDistinct } from "./queryset-distinct.js";
import { querysetExpressions } from "./queryset-expressions.js";
import { querysetDateParts } from "./queryset-date-parts.js";
import { querysetLocks } from "./queryset-locks.js";
import { querysetValues } from "./queryset-values.js";
import { querysetRelations } from "./queryset-relations.js";
import { relations } from "./relations.js";
import { rolesTables } from "./roles-tables.js";
import { searchAndCount } from "./search-and-count.js";
import { sync } from "./sync.js";
import { transactionBinding } from "./transaction-binding.js";
import { transactions } from "./transactions.js";
import { typedRuleValues } from "./typed-rule-values.js";
import { upserts } from "./upserts.js";

/** Every conformance suite, by feature. */
export const suites = {
  crud,
  nested,
  relations,
  filters,
  filterRelations,
  ordering,
  fields,
  errors,
  transactions,
  transactionBinding,
  querysets,
  querysetReads,
  querysetDistinct,
  querysetExpressions,
  querysetDateParts,
  querysetLocks,
  querysetValues,
  querysetRelations,
  searchAndCount,
  sync,
  ddlDefaults,
  accessMatrix,
  access,
  bulkWrites,
  upserts,
  injection,
  hostileInputs,
  rolesTables,
  filterProperties,
  readTemplates,
  typedRuleValues,
  nonInterference,
  migrations,
  migrationsRunner,
  modelBinding,
  modelConveniences,
  primaryKeys,
  callTimeouts,
  faults,
  insightStats,
  insightNPlusOne,
  insightCache,
  insightExplain,
} as const;

/** Declares every suite (or the named ones) for a target. Call it at the top of a test file. */
export async function runConformance(
  target: ConformanceTarget,
  only?: readonly (keyof typeof suites | keyof typeof modelOptionSuites)[],
): Promise<void> {
  for (const [name, run] of Object.entries({ ...suites, ...modelOptionSuites })) {
    if (!only || only.includes(name as keyof typeof suites)) await run(target);
  }
}
