import type { CrudConfig } from "./crud-options.js";

/** The OpenAPI 3.1 document of the API. */
export function openApiDocument(cfg: CrudConfig): object {
  return { openapi: "3.1.0", info: cfg.info, paths: {} };
}
