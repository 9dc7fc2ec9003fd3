export { postgres } from "./postgres.js";
export type { PostgresOptions } from "./postgres.js";
export type { PgPoolOptions } from "./pg-driver.js";
export { PostgresCompiler } from "./postgres-compiler.js";
export { PostgresDdl } from "./postgres-ddl.js";
export { PostgresIntrospector } from "./postgres-introspector.js";
export { mapPgError } from "./map-pg-error.js";
