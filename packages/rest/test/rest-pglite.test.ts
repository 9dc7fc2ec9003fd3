import { accessRoutes } from "./suites/access-routes.js";
import { attackRoutes } from "./suites/attack-routes.js";
import { crudRoutes } from "./suites/crud-routes.js";
import { keyRoutes } from "./suites/key-routes.js";
import { openApiDocs } from "./suites/openapi-docs.js";
import { pglite } from "./targets.js";

await crudRoutes(pglite);
await openApiDocs(pglite);
await accessRoutes(pglite);
await attackRoutes(pglite);
await keyRoutes(pglite);
