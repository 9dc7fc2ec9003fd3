export * from "./errors.js";
export { f } from "./model/f.js";
export type {
  CharOptions,
  DatetimeOptions,
  DecimalOptions,
  IntegerOptions,
  Many2manyOptions,
  Many2oneOptions,
  SelectionOptions,
  UuidOptions,
  VirtualRelationOptions,
} from "./model/f.js";
export { uuid7 } from "./model/primary-key.js";
export type { Id, PrimaryKeyOptions } from "./model/primary-key.js";
export type * from "./model/field.js";
export { isStored } from "./model/field.js";
export { isRelation } from "./model/meta.js";
export { model } from "./define/model.js";
export type { ModelClass, ModelStatics, RecordMethods, CountOptions, WriteOptions } from "./define/model.js";
export type { AnyModel, FieldMeta, ModelMeta, ModelOptions } from "./model/model-meta.js";
export type {
  AfterCreateEvent,
  BeforeCreateEvent,
  DeleteEvent,
  HookName,
  ModelHooks,
  UpdateEvent,
} from "./model/hooks.js";
export type { HookOption } from "./model/binding.js";
export type { AutoNowOptions } from "./model/auto-now.js";
export type * from "./model/types.js";
export { checkId, idFromText, toDbValue, validateValue } from "./model/validate.js";
export type * from "./query/ast.js";
export type {
  Condition,
  DateKeys,
  DatePartName,
  Filter,
  FilterItem,
  FilterPath,
  Operator,
} from "./query/filter-types.js";
export { operators } from "./query/filter-types.js";
export { parseFilter } from "./query/parse-filter.js";
export type { ParseFilterOptions } from "./query/parse-filter.js";
export type { AccessChecker, AccessRequest, Operation } from "./access/access-checker.js";
export { SqlCompiler } from "./sql/sql-compiler.js";
export { SqlDialect } from "./sql/sql-dialect.js";
export { InsertShapes } from "./sql/insert-shapes.js";
export { CompileContext, type CompileOptions } from "./sql/compile-context.js";
export type { NestedArrayParts, RelationJoin } from "./sql/compile-context.js";
export type { NestingHost, NestingStrategy, RelationItem } from "./sql/nesting/nesting-strategy.js";
export { JsonAggregate, type JsonAggregateOptions } from "./sql/nesting/json-aggregate.js";
export { UnionRows } from "./sql/nesting/union-rows.js";
export type { Decoder, Prototypes } from "./hydrate/hydrate.js";
export { DdlCompiler } from "./sql/ddl-compiler.js";
export type { LinkTable } from "./sql/ddl-compiler.js";
export type { Exec, Introspector, NameRow, SchemaState, TableState } from "./sql/schema.js";
export { schemaState } from "./sql/schema.js";
export { constraintName } from "./sql/constraint-name.js";
export { planSync } from "./sql/plan-sync.js";
export { decodeValue } from "./hydrate/decode-value.js";
export type {
  Adapter,
  Capabilities,
  Driver,
  DriverConnection,
  ExecCallback,
  ExecOptions,
  StreamConnection,
} from "./run/adapter.js";
export type { BulkRows, CompiledQuery, ExecResult, StatementKind } from "./sql/statement.js";
export { Database } from "./run/database.js";
export { connect } from "./run/connect.js";
export type { ConnectOptions, StatementInfo } from "./run/database.js";
export type { TransactionOptions } from "./run/transaction.js";
export { callLimit, limitOption, limitPassed, withinLimit } from "./run/deadline.js";
export type { CallLimit } from "./run/deadline.js";
export type { QueryEvent, DatabaseEvents, LogEvent, LogLevel } from "./run/events.js";
export { checkOptions, closestName, option } from "./run/check-options.js";
export { executeAlone } from "./run/own-connection.js";
export type { OptionCheck } from "./run/check-options.js";
export { SqlIdentifier } from "./run/raw-sql.js";
export type { RawSql } from "./run/raw-sql.js";
export { QuerySet, GroupedQuerySet, MultipleRecordsFound } from "./query/query-set.js";
export type {
  AggregateResult,
  AggregateSpec,
  LockOptions,
  Lookups,
  LookupValue,
  Page,
  UpdateWithRefs,
} from "./query/query-set.js";
export { F, FieldRef } from "./query/expressions.js";
export type { ArithmeticOp } from "./query/expressions.js";
export type { Lookup } from "./query/lookups.js";
export { lookupsToFilter } from "./query/lookups.js";
export { rolesChecker } from "./access/roles-checker.js";
export type {
  FieldRule,
  ModelRight,
  RecordRule,
  RoleDef,
  RolesConfig,
  RolesSessionOptions,
} from "./access/roles-checker.js";
export { accessModels, rolesFromTables } from "./access/access-models.js";
export type { AccessModels } from "./access/access-models.js";
export { matchValues } from "./access/match-values.js";
export type { ExistsProbe } from "./access/match-values.js";
export type {
  ColumnInfo,
  Describer,
  ForeignKeyInfo,
  IndexInfo,
  SchemaInfo,
  TableInfo,
  TableLayout,
} from "./sql/schema.js";
export { describeRows } from "./sql/schema-info.js";
export type { DescribeRows } from "./sql/schema-info.js";
export type { MigrationLockSql } from "./sql/ddl-compiler.js";
export { MigrationError } from "./migrate/migration-error.js";
export { ref, canonicalDefault, canonicalType, columnFromInfo, columnOf } from "./migrate/column-field.js";
export type { ColumnField, RefOptions, TableOptions } from "./migrate/column-field.js";
export type { Operation as SchemaOperation } from "./migrate/operations.js";
export { describeOperation, destructiveReason, inverseOf, inverseOfAll } from "./migrate/operations.js";
export { renderOperation } from "./migrate/render-operation.js";
export { desiredSchema } from "./migrate/desired-schema.js";
export type { DesiredTable } from "./migrate/desired-schema.js";
export { diffSchema, isDotormTable } from "./migrate/diff-schema.js";
export type { DiffOptions, Rename, SchemaDiff } from "./migrate/diff-schema.js";
export { planMigration } from "./migrate/plan-migration.js";
export { SchemaBuilder } from "./migrate/schema-builder.js";
export type { MigrationDb, SchemaBuilderOptions } from "./migrate/schema-builder.js";
export { Migrator } from "./migrate/migrator.js";
export type { Migration, MigrationStatus, RunOptions } from "./migrate/migrator.js";
export { historyTable, dotormVersion } from "./migrate/history.js";
export type { HistoryRow } from "./migrate/history.js";
export { migrationSource, fieldSource, operationSource } from "./migrate/migration-source.js";
export { modelsFromSchema, modelsSource } from "./migrate/inspect-models.js";
export { StatementStats, sampleSize } from "./insight/statement-stats.js";
export type { StatementStat } from "./insight/statement-stats.js";
export type { MetricRegistry, StatsView } from "./insight/stats-view.js";
export { prometheusMetrics } from "./insight/prometheus-metrics.js";
export type { MetricValue, PromMetric } from "./insight/prometheus-metrics.js";
export { prometheusText } from "./insight/prometheus-text.js";
export { NPlusOneDetector, checkNPlusOne } from "./insight/n-plus-one.js";
export type { NPlusOneMode, NPlusOneOptions } from "./insight/n-plus-one.js";
export type { NPlusOneReport } from "./insight/n-plus-one-report.js";
export { NPlusOneError } from "./insight/n-plus-one-error.js";
export { callSite } from "./insight/call-site.js";
export { batchSuggestion } from "./insight/batch-suggestion.js";
export { checkCacheOption, cacheFor } from "./query/cache-option.js";
export type { CacheOption } from "./query/cache-option.js";
export type { CacheEntryInfo, CacheStore } from "./insight/cache-store.js";
export { memoryStore } from "./insight/memory-store.js";
export type { MemoryStoreOptions } from "./insight/memory-store.js";
export { QueryCache } from "./insight/query-cache.js";
export type { CacheEvent } from "./insight/query-cache.js";
export { readTables, writtenTable } from "./insight/node-tables.js";
export { paramsKey } from "./insight/params-key.js";
export { redisStore } from "./insight/redis-store.js";
export { planJson, planNodes, planNumber } from "./insight/explain-plan.js";
export type {
  ExplainOptions,
  ExplainPlan,
  PlanAccess,
  PlanNode,
  PlanReader,
  ReadPlan,
  Recommendation,
  RecommendationKind,
} from "./insight/explain-plan.js";
export { checkExplainOptions, explainStatement } from "./insight/explain-statement.js";
export type { ExplainEvent } from "./insight/explain-statement.js";
export { readColumns } from "./insight/read-columns.js";
export type { ReadColumns, TableColumn } from "./insight/read-columns.js";
export { leadsIndex, recommend } from "./insight/recommend.js";
export { PlannedReads, advise } from "./insight/advise.js";
export type { Advice, AdviseEvent, AdviseOptions } from "./insight/advise.js";
export type { RedisLike, RedisStoreOptions, RedisSubscriberLike } from "./insight/redis-store.js";
export { ReplicatedDriver } from "./run/replicated-driver.js";
export type { Replica, ReplicaOptions } from "./run/replicated-driver.js";
