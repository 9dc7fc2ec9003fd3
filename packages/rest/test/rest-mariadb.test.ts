import { crudRoutes } from "./suites/crud-routes.js";
import { mariadb } from "./targets.js";

await crudRoutes(mariadb);
