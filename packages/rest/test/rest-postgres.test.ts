import { accessRoutes } from "./suites/access-routes.js";
import { attackRoutes } from "./suites/attack-routes.js";
import { crudRoutes } from "./suites/crud-routes.js";
import { keyRoutes } from "./suites/key-routes.js";
import { openApiDocs } from "./suites/openapi-docs.js";
import { pgServer } from "./targets.js";

await crudRoutes(pgServer);
await openApiDocs(pgServer);
await accessRoutes(pgServer);
await attackRoutes(pgServer);
await keyRoutes(pgServer);
