import { accessRoutes } from "./suites/access-routes.js";
import { attackRoutes } from "./suites/attack-routes.js";
import { crudRoutes } from "./suites/crud-routes.js";
import { keyRoutes } from "./suites/key-routes.js";
import { openApiDocs } from "./suites/openapi-docs.js";
import { mariadb } from "./targets.js";

await crudRoutes(mariadb);
await openApiDocs(mariadb);
await accessRoutes(mariadb);
await attackRoutes(mariadb);
await keyRoutes(mariadb);
