import { crudRoutes } from "./suites/crud-routes.js";
import { chdb } from "./targets.js";

await crudRoutes(chdb);
