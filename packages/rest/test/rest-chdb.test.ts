import { accessRoutes } from "./suites/access-routes.js";
import { attackRoutes } from "./suites/attack-routes.js";
import { crudRoutes } from "./suites/crud-routes.js";
import { keyRoutes } from "./suites/key-routes.js";
import { openApiDocs } from "./suites/openapi-docs.js";
import { chdb } from "./targets.js";

await crudRoutes(chdb);
await openApiDocs(chdb);
await accessRoutes(chdb);
await attackRoutes(chdb);
await keyRoutes(chdb);
