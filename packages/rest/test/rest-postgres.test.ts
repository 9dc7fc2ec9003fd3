import { crudRoutes } from "./suites/crud-routes.js";
import { pgServer } from "./targets.js";

await crudRoutes(pgServer);
