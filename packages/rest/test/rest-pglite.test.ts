import { crudRoutes } from "./suites/crud-routes.js";
import { pglite } from "./targets.js";

await crudRoutes(pglite);
