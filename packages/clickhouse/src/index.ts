export { clickhouse } from "./clickhouse.js";
export type { ClickHouseOptions } from "./clickhouse.js";
export { ClickHouseCompiler } from "./clickhouse-compiler.js";
export type { ClickHouseStatement } from "./clickhouse-compiler.js";
export { ClickHouseDdl } from "./clickhouse-ddl.js";
export { ClickHouseDriver } from "./clickhouse-driver.js";
export { ClickHouseIntrospector } from "./clickhouse-introspector.js";
export { IdGenerator } from "./id-generator.js";
export { mapClickHouseError } from "./map-clickhouse-error.js";
